import { type CommandPayloads, type CommandType } from '../../../src/outbox/commands.js';
import { parseGlobalId, toGlobalId } from '../../../src/common/global-ids.js';
import { newRowId } from '../../../src/database/row-ids.js';
import { sql, type TestApp } from '../../support/app.js';
import { internalGql } from '../../support/internal-api.js';
import { type LinkedSession } from '../../support/linked-session.js';

/** The outbound API (files, replies, reactions, groups) as the dashboard and n8n call it. */

export const OUT_FIELDS = `id wahaId localId chatId fromMe body hasMedia type caption status ack failureReason
  media { id state mimetype filename }
  replyTo { messageId excerpt }
  reactions { senderId fromMe reaction }`;

export const SEND_OUT = `mutation($sessionId: ID!, $to: String!, $text: String!, $idempotencyKey: String, $replyTo: ID, $mediaId: ID) {
  sendWhatsappMessage(sessionId: $sessionId, to: $to, text: $text, idempotencyKey: $idempotencyKey, replyTo: $replyTo, mediaId: $mediaId) { ${OUT_FIELDS} }
}`;
export const MESSAGES_OUT = `query($sessionId: ID!, $chatId: ID!) {
  messages(sessionId: $sessionId, chatId: $chatId) { edges { node { ${OUT_FIELDS} } } }
}`;
export const CHAT_FIELDS = `id chatId chatIds isGroup name unreadCount participants { wahaId phoneId role } participantsFetchedAt lastMessage { ${OUT_FIELDS} }`;
export const CHAT = `query($sessionId: ID!, $chatId: ID!) { chat(sessionId: $sessionId, chatId: $chatId) { ${CHAT_FIELDS} } }`;
export const CHATS_OUT = `query($sessionId: ID!) { chats(sessionId: $sessionId, first: 100) { edges { node { ${CHAT_FIELDS} } } } }`;
export const REACT = `mutation($input: ReactToWhatsappMessageInput!) { reactToWhatsappMessage(input: $input) }`;
export const REFRESH_GROUP = `mutation($sessionId: ID!, $chatId: ID!) { refreshWhatsappGroupParticipants(sessionId: $sessionId, chatId: $chatId) }`;
export const REPORT_REACTION = `mutation($input: ReportReactionSentInput!) { reportReactionSent(input: $input) }`;
export const REPORT_GROUP = `mutation($input: ReportGroupParticipantsInput!) { reportGroupParticipants(input: $input) }`;
export const REPORT_CONTACT_IDS = `mutation($input: ReportContactIdsInput!) { reportContactIds(input: $input) }`;
export const UPSERT_CHATS = `mutation($input: UpsertChatsInput!) { upsertChats(input: $input) { created } }`;

export interface OutMessage {
  /** Ours (wm_…), from the moment it is stored. */
  id: string;
  /** WAHA's, once n8n reported it SENT (or for a message WAHA sent us). */
  wahaId: string | null;
  /** Deprecated: the same as `id`. */
  localId: string;
  chatId: string;
  body: string | null;
  hasMedia: boolean;
  type: string;
  caption: string | null;
  status: string;
  media: { id: string; state: string; mimetype: string | null; filename: string | null } | null;
  replyTo: { messageId: string; excerpt: string | null } | null;
  reactions: { senderId: string; fromMe: boolean; reaction: string }[];
}

export interface SendVars {
  to: string;
  text: string;
  idempotencyKey?: string;
  replyTo?: string;
  mediaId?: string;
}

export const sendOut = (t: TestApp, session: LinkedSession, vars: SendVars, token = session.token) =>
  t.gql<{ sendWhatsappMessage: OutMessage }>(SEND_OUT, { sessionId: session.id, ...vars }, { token });

export async function messagesOut(t: TestApp, session: LinkedSession, chatId: string): Promise<OutMessage[]> {
  const result = await t.gql<{ messages: { edges: { node: OutMessage }[] } }>(
    MESSAGES_OUT,
    { sessionId: session.id, chatId },
    { token: session.token },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.messages.edges.map((e) => e.node);
}

/** The commands of `type` written for the session, oldest first. */
export async function commandsOf<T extends CommandType>(
  t: TestApp,
  session: LinkedSession,
  type: T,
): Promise<{ id: string; payload: CommandPayloads[T] }[]> {
  return sql(t, `select id, payload from outbox_commands where session_id = ? and type = ? order by id`, [
    session.id,
    type,
  ]);
}

export interface MediaRowOptions {
  direction?: 'INBOUND' | 'OUTBOUND';
  state?: 'PENDING' | 'READY' | 'FAILED';
  mimetype?: string;
  filename?: string | null;
  /** The session it was uploaded for ('' for any of the tenant's); default: `session`. */
  sessionId?: string;
}

/** The row key behind one of the API's ids (wm_…, wf_…), to find its row in SQL. */
export function rowKeyOf(id: string): string {
  const parsed = parseGlobalId(id);
  if (!parsed) throw new Error(`${id} is not a global id`);
  return parsed.key;
}

/**
 * A media row of `session`'s tenant as the upload endpoint leaves one (OUTBOUND, READY), or as
 * the options say: for what a send checks of a file, without its bytes. Answers its API id
 * (wf_…, what an upload answers and sendWhatsappMessage takes); rowKeyOf gives the row's.
 */
export async function mediaRow(
  t: TestApp,
  session: LinkedSession,
  options: MediaRowOptions = {},
): Promise<string> {
  const id = newRowId();
  const now = new Date();
  await sql(
    t,
    `insert into media (id, tenant_id, session_id, direction, state, mimetype, filename, size, sha256, storage_key, created_at, updated_at, created_by, updated_by)
    values (?, ?, ?, ?, ?, ?, ?, 3, ?, ?, ?, ?, 'user:test', 'user:test')`,
    [
      id,
      session.tenantId,
      options.sessionId ?? session.id,
      options.direction ?? 'OUTBOUND',
      options.state ?? 'READY',
      options.mimetype ?? 'image/jpeg',
      options.filename === undefined ? 'photo.jpg' : options.filename,
      'a'.repeat(64),
      `test/${id}`,
      now,
      now,
    ],
  );
  return toGlobalId('WhatsappMedia', id);
}

/** Every row an outbound request or report could change, to show that one changed nothing. */
export async function outboundRows(t: TestApp): Promise<string> {
  const tables = ['chats', 'messages', 'message_reactions', 'outbox_commands', 'media'];
  return JSON.stringify(
    await Promise.all(tables.map((table) => sql(t, `select * from ${table} order by 1, 2`))),
  );
}

export async function reportReaction(
  t: TestApp,
  input: { sessionId: string; messageId: string; reaction: string; commandId?: string },
) {
  return internalGql<{ reportReactionSent: boolean }>(t, REPORT_REACTION, { input });
}

export async function reportGroup(t: TestApp, input: Record<string, unknown>) {
  return internalGql<{ reportGroupParticipants: boolean }>(t, REPORT_GROUP, { input });
}
