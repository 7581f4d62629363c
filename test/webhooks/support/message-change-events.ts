import { ulid } from 'ulid';
import { sql, type TestApp } from '../../support/app.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
} from '../../support/linked-session.js';

/**
 * WAHA's `message.reaction`, `message.edited` and `message.revoked` payloads as its engines
 * send them (openapi: WAMessageReaction, WAMessageEditedBody, WAMessageRevokedBody), and the
 * reads the message-changes specs check them with.
 */

export const eventId = () => `evt_${ulid().toLowerCase()}`;
/** A WhatsApp message id as engines make them (WhatsApp's own, without `{fromMe}_{chatId}_`). */
export const engineId = () => `3EB0${ulid()}`;
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An inbound message of `from` with WhatsApp id `id`: its full WAHA id is `false_{from}_{id}`. */
export function message(session: LinkedSession, from: string, body: string, id: string) {
  return inboundMessage(session, from, body, nowSeconds(), id);
}

/** `sender` (or, fromMe, the linked account) reacts to `messageId` in the chat with `chat`. */
export function reaction(
  session: LinkedSession,
  messageId: string,
  text: string,
  options: { sender?: string; chat?: string; fromMe?: boolean } = {},
) {
  const fromMe = options.fromMe ?? false;
  const chat = options.chat ?? messageId.split('_')[1]!;
  const sender = fromMe ? session.me : (options.sender ?? chat);
  return {
    id: `${String(fromMe)}_${chat}_${engineId()}${chat.endsWith('@g.us') ? `_${sender}` : ''}`,
    timestamp: nowSeconds(),
    from: fromMe ? session.me : chat.endsWith('@g.us') ? chat : sender,
    fromMe,
    source: 'app',
    to: fromMe ? chat : session.me,
    participant: sender,
    reaction: { text, messageId },
  };
}

/** The author edits message `id` of `chat` (NOWEB's shape: the edit is a message of its own). */
export function edit(session: LinkedSession, chat: string, id: string, body: string, author?: string) {
  return {
    id: `false_${chat}_${engineId()}${author ? `_${author}` : ''}`,
    timestamp: nowSeconds(),
    from: chat,
    fromMe: false,
    source: 'app',
    to: session.me,
    ...(author ? { participant: author } : {}),
    body,
    hasMedia: false,
    ack: 1,
    ackName: 'SERVER',
    editedMessageId: id,
  };
}

/**
 * Message `id` of `chat` is deleted for everyone by `by` (the author unless said). NOWEB's
 * shape: `after` is the revoke, `before` null; `webjs`: `before` and `after` are the message
 * under its own id, and there is no `revokedMessageId`.
 */
export function revoke(
  session: LinkedSession,
  chat: string,
  id: string,
  options: { by?: string; webjs?: boolean } = {},
) {
  const group = chat.endsWith('@g.us');
  const actionId = options.webjs ? id : engineId();
  const after = {
    id: `false_${chat}_${actionId}${group && options.by ? `_${options.by}` : ''}`,
    timestamp: nowSeconds(),
    from: chat,
    fromMe: false,
    source: 'app',
    to: session.me,
    ...(group && options.by ? { participant: options.by } : {}),
    body: '',
    hasMedia: false,
    ack: 1,
    ackName: 'SERVER',
  };
  return options.webjs
    ? { after, before: { ...after, body: 'what it said' } }
    : { after, before: null, revokedMessageId: id };
}

export const MESSAGE_CHANGE_FIELDS = `id wahaId body editedAt previousBody revokedAt reactions { senderId fromMe reaction timestamp }`;

export interface ChangedMessage {
  id: string;
  wahaId: string | null;
  body: string | null;
  editedAt: string | null;
  previousBody: string | null;
  revokedAt: string | null;
  reactions: { senderId: string; fromMe: boolean; reaction: string; timestamp: string }[];
}

/** The spec's reads: a message as the dashboard reads it, and the rows changes write. */
export function changeReads(on: () => LinkedSessionFixture) {
  /** Message `wahaId` of `chat` as the `messages` query shows it (null when it is not there). */
  async function shown(session: LinkedSession, chat: string, wahaId: string): Promise<ChangedMessage | null> {
    const result = await on().t.gql<{ messages: { edges: { node: ChangedMessage }[] } }>(
      `query($sessionId: ID!, $chatId: ID!) { messages(sessionId: $sessionId, chatId: $chatId, first: 100) {
        edges { node { ${MESSAGE_CHANGE_FIELDS} } } } }`,
      { sessionId: session.id, chatId: chat },
      { token: session.token },
    );
    // A chat that is not stored yet (its first message has not arrived) shows no message.
    if (result.errors?.[0]?.extensions?.['code'] === 'NOT_FOUND') return null;
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.messages.edges.map((edge) => edge.node).find((node) => node.wahaId === wahaId) ?? null;
  }

  /** A session's rows that changes write or that an event records. */
  async function rows(session: LinkedSession) {
    const t: TestApp = on().t;
    const [row] = await sql<{ events: number; reactions: unknown[]; messages: unknown[] }>(
      t,
      `select (select count(*) from webhook_events where session_id = ?)::int as events,
        coalesce((select json_agg(json_build_array(message_waha_id, sender_id, reaction) order by message_waha_id, sender_id)
          from message_reactions where session_id = ?), '[]') as reactions,
        coalesce((select json_agg(json_build_array(waha_id, body, previous_body, edited_at is not null, revoked_at is not null) order by waha_id)
          from messages where session_id = ?), '[]') as messages`,
      [session.id, session.id, session.id],
    );
    return row!;
  }

  return { shown, rows };
}
