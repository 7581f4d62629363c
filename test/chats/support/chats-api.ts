import { expect } from '@jest/globals';
import { keyIfGlobal } from '../../../src/common/global-ids.js';
import { type CommandPayloads } from '../../../src/outbox/commands.js';
import { type WahaSimulator } from '../../tools/waha-sim/waha-simulator.js';
import { sql, type TestApp } from '../../support/app.js';
import { internalGql } from '../../support/internal-api.js';
import { type LinkedSession } from '../../support/linked-session.js';

/** The chat and message API as the dashboard and n8n call it, for the chats specs. */

export const MESSAGE_FIELDS = `id localId wahaId chatId sessionId fromMe direction body hasMedia timestamp ack ackName status failureReason createdBy`;
export const PAGE_INFO = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
export const CHATS = `query($sessionId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  chats(sessionId: $sessionId, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id chatId sessionId name unreadCount lastActivityAt lastMessage { ${MESSAGE_FIELDS} } } }
    ${PAGE_INFO}
  }
}`;
export const MESSAGES = `query($sessionId: ID!, $chatId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  messages(sessionId: $sessionId, chatId: $chatId, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { ${MESSAGE_FIELDS} } }
    ${PAGE_INFO}
  }
}`;
export const SEND = `mutation($sessionId: ID!, $to: String!, $text: String!, $idempotencyKey: String) {
  sendWhatsappMessage(sessionId: $sessionId, to: $to, text: $text, idempotencyKey: $idempotencyKey) { ${MESSAGE_FIELDS} }
}`;
export const MARK_READ = `mutation($sessionId: ID!, $chatId: ID!) { markChatRead(sessionId: $sessionId, chatId: $chatId) { id unreadCount } }`;
export const SYNC = `mutation($sessionId: ID!) { syncWhatsappChats(sessionId: $sessionId) }`;
export const REPORT_SENT = `mutation($input: ReportMessageSentInput!) { reportMessageSent(input: $input) { id wahaMessageId ack status failureReason } }`;
export const REPORT_FAILED = `mutation($input: ReportMessageFailedInput!) { reportMessageFailed(input: $input) { id wahaMessageId ack status failureReason } }`;
export const UPSERT_CHATS = `mutation($input: UpsertChatsInput!) { upsertChats(input: $input) { created updated unchanged } }`;
export const UPSERT_MESSAGES = `mutation($input: UpsertMessagesInput!) { upsertMessages(input: $input) { created updated unchanged } }`;

export interface Message {
  /** Our id (wm_…); localId is the same. */
  id: string;
  localId: string;
  /** WAHA's message id; null until WAHA accepted our send. */
  wahaId: string | null;
  /** WAHA's chat id. */
  chatId: string;
  fromMe: boolean;
  direction: string;
  body: string | null;
  timestamp: string;
  ack: number;
  ackName: string;
  status: string;
  failureReason: string | null;
  createdBy: string;
}
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}
export interface Chat {
  /** Our id (wc_…). */
  id: string;
  /** WAHA's chat id. */
  chatId: string;
  name: string | null;
  unreadCount: number;
  lastActivityAt: string;
  lastMessage: Message | null;
}

/**
 * The calls of the chats specs, on the app and simulator `on` gives when called (a spec's
 * fixture, started in its beforeAll).
 */
export function chatsApi(on: () => { t: TestApp; sim: WahaSimulator }) {
  const chats = async (session: LinkedSession, vars: Record<string, unknown> = {}) => {
    const { t } = on();
    const result = await t.gql<{ chats: Page<Chat> }>(
      CHATS,
      { sessionId: session.id, ...vars },
      { token: session.token },
    );
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.chats;
  };
  const messages = async (session: LinkedSession, chatId: string, vars: Record<string, unknown> = {}) => {
    const { t } = on();
    const result = await t.gql<{ messages: Page<Message> }>(
      MESSAGES,
      { sessionId: session.id, chatId, ...vars },
      { token: session.token },
    );
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.messages;
  };
  const send = (session: LinkedSession, to: string, text: string, idempotencyKey?: string) =>
    on().t.gql<{ sendWhatsappMessage: Message }>(
      SEND,
      { sessionId: session.id, to, text, idempotencyKey },
      { token: session.token },
    );

  /** The message.send command written for our message (its API id, or the row key commands carry). */
  async function sendCommand(messageId: string) {
    const [row] = await sql<{ payload: CommandPayloads['message.send'] }>(
      on().t,
      `select payload from outbox_commands where type = 'message.send' and payload->>'messageId' = ?`,
      [keyIfGlobal('WhatsappMessage', messageId) ?? messageId],
    );
    return row?.payload;
  }

  /** n8n's message.send workflow, step by step against the simulator, without reporting yet. */
  async function wahaSendText(
    session: LinkedSession,
    payload: CommandPayloads['message.send'],
  ): Promise<string> {
    const { sim } = on();
    let chatId = payload.chatId;
    if (payload.phoneNumber) {
      const check = await fetch(
        `${sim.url}/api/contacts/check-exists?phone=${payload.phoneNumber}&session=${session.id}`,
      );
      chatId = ((await check.json()) as { chatId: string }).chatId;
    }
    const response = await fetch(`${sim.url}/api/sendText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session: session.id, chatId, text: payload.text }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: { _serialized: string } }).id._serialized;
  }

  /** n8n's report that WAHA sent our message. */
  async function reportSent(messageId: string, wahaMessageId: string) {
    const result = await internalGql<{ reportMessageSent: Record<string, unknown> }>(on().t, REPORT_SENT, {
      input: { messageId, wahaMessageId },
    });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.reportMessageSent;
  }

  /** Every chat and message row of the session, to show that a call changed nothing. */
  async function rowsOf(session: LinkedSession) {
    const { t } = on();
    return JSON.stringify([
      await sql(t, `select * from chats where session_id = ? order by id`, [session.id]),
      await sql(t, `select * from messages where session_id = ? order by id`, [session.id]),
    ]);
  }

  return { chats, messages, send, sendCommand, wahaSendText, reportSent, rowsOf };
}
