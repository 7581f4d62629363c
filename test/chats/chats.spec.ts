import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { type CommandPayloads } from '../../src/outbox/commands.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import {
  CREATE_SESSION,
  deliver,
  inboundMessage,
  internalGql,
  linkedSession,
  type LinkedSession,
  sql,
  webhooksSettled,
} from '../webhooks/support/linked-session.js';

const MESSAGE_FIELDS = `id localId chatId sessionId fromMe direction body hasMedia timestamp ack ackName status failureReason createdBy`;
const CHATS = `query($sessionId: ID!, $first: Int, $after: String) {
  chats(sessionId: $sessionId, first: $first, after: $after) {
    edges { cursor node { id sessionId name unreadCount lastActivityAt lastMessage { ${MESSAGE_FIELDS} } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const MESSAGES = `query($sessionId: ID!, $chatId: ID!, $first: Int, $before: String) {
  messages(sessionId: $sessionId, chatId: $chatId, first: $first, before: $before) {
    edges { cursor node { ${MESSAGE_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const SEND = `mutation($sessionId: ID!, $to: String!, $text: String!, $idempotencyKey: String) {
  sendWhatsappMessage(sessionId: $sessionId, to: $to, text: $text, idempotencyKey: $idempotencyKey) { ${MESSAGE_FIELDS} }
}`;
const MARK_READ = `mutation($sessionId: ID!, $chatId: ID!) { markChatRead(sessionId: $sessionId, chatId: $chatId) { id unreadCount } }`;
const SYNC = `mutation($sessionId: ID!) { syncWhatsappChats(sessionId: $sessionId) }`;
const REPORT_SENT = `mutation($input: ReportMessageSentInput!) { reportMessageSent(input: $input) { id wahaMessageId ack status failureReason } }`;
const REPORT_FAILED = `mutation($input: ReportMessageFailedInput!) { reportMessageFailed(input: $input) { id wahaMessageId ack status failureReason } }`;
const UPSERT_CHATS = `mutation($input: UpsertChatsInput!) { upsertChats(input: $input) { created updated unchanged } }`;
const UPSERT_MESSAGES = `mutation($input: UpsertMessagesInput!) { upsertMessages(input: $input) { created updated unchanged } }`;

interface Message {
  id: string;
  localId: string;
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
interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface Chat {
  id: string;
  name: string | null;
  unreadCount: number;
  lastActivityAt: string;
  lastMessage: Message | null;
}

describe('chats and messages', () => {
  let t: TestApp;
  let sim: WahaSimulator;
  let s: LinkedSession;

  beforeAll(async () => {
    sim = await startWahaSimulator({ timeScale: 0.01 });
    t = await startTestApp();
    s = await linkedSession(t, sim, 'chat-co');
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  const chats = async (session: LinkedSession, vars: Record<string, unknown> = {}) => {
    const result = await t.gql<{ chats: Page<Chat> }>(
      CHATS,
      { sessionId: session.id, ...vars },
      { token: session.token },
    );
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.chats;
  };
  const messages = async (session: LinkedSession, chatId: string, vars: Record<string, unknown> = {}) => {
    const result = await t.gql<{ messages: Page<Message> }>(
      MESSAGES,
      { sessionId: session.id, chatId, ...vars },
      { token: session.token },
    );
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.messages;
  };
  const send = (session: LinkedSession, to: string, text: string, idempotencyKey?: string) =>
    t.gql<{ sendWhatsappMessage: Message }>(
      SEND,
      { sessionId: session.id, to, text, idempotencyKey },
      { token: session.token },
    );

  async function sendCommand(messageId: string) {
    const [row] = await sql<{ payload: CommandPayloads['message.send'] }>(
      t,
      `select payload from outbox_commands where type = 'message.send' and payload->>'messageId' = ?`,
      [messageId],
    );
    return row?.payload;
  }

  /** n8n's message.send workflow, step by step against the simulator, without reporting yet. */
  async function wahaSendText(
    session: LinkedSession,
    payload: CommandPayloads['message.send'],
  ): Promise<string> {
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

  async function reportSent(messageId: string, wahaMessageId: string) {
    const result = await internalGql<{ reportMessageSent: Record<string, unknown> }>(t, REPORT_SENT, {
      input: { messageId, wahaMessageId },
    });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.reportMessageSent;
  }

  async function rowsOf(session: LinkedSession) {
    return JSON.stringify([
      await sql(t, `select * from chats where session_id = ? order by id`, [session.id]),
      await sql(t, `select * from messages where session_id = ? order by id`, [session.id]),
    ]);
  }

  it('stores inbound messages from WAHA as chats with their last message and unread count, and marks a chat read', async () => {
    sim.inbound(s.id, { from: '4917000000001@c.us', body: 'Hi', pushName: 'Ann' });
    await webhooksSettled(sim, s.id);
    sim.inbound(s.id, { from: '4917000000001@c.us', body: 'Are you there?' });
    await webhooksSettled(sim, s.id);

    const [chat] = (await chats(s)).edges.map((e) => e.node);
    expect(chat).toMatchObject({
      id: '4917000000001@c.us',
      unreadCount: 2,
      lastMessage: {
        chatId: '4917000000001@c.us',
        fromMe: false,
        direction: 'INBOUND',
        body: 'Are you there?',
        ack: 1,
        ackName: 'SERVER',
        status: 'SENT',
        createdBy: 'system:waha-webhook',
      },
    });
    expect(chat!.lastMessage!.id).toMatch(/^false_4917000000001@c\.us_/);
    expect((await messages(s, '4917000000001@c.us')).edges.map((e) => e.node.body)).toEqual([
      'Are you there?',
      'Hi',
    ]);

    const read = await t.gql(
      MARK_READ,
      { sessionId: s.id, chatId: '4917000000001@c.us' },
      { token: s.token },
    );
    expect(read.data).toEqual({ markChatRead: { id: '4917000000001@c.us', unreadCount: 0 } });
    const rows = await rowsOf(s);
    await t.gql(MARK_READ, { sessionId: s.id, chatId: '4917000000001@c.us' }, { token: s.token });
    expect(await rowsOf(s)).toBe(rows);
    // Inbound messages go to n8n's automations, once each.
    const [{ count }] = (await sql<{ count: number }>(
      t,
      `select count(*)::int as count from outbox_commands where type = 'message.received' and session_id = ?`,
      [s.id],
    )) as [{ count: number }];
    expect(count).toBe(2);
  });

  it('sends: PENDING, then SENT with WAHA’s id, then DELIVERED and READ from WAHA’s acks, never back to SENT', async () => {
    const sent = await send(s, '+49 170 0000002', 'Hello from the dashboard');
    expect(sent.errors).toBeUndefined();
    const pending = sent.data!.sendWhatsappMessage;
    expect(pending).toMatchObject({
      chatId: '491700000002@c.us',
      fromMe: true,
      direction: 'OUTBOUND',
      body: 'Hello from the dashboard',
      ack: 0,
      ackName: 'PENDING',
      status: 'PENDING',
      createdBy: `user:chat-co-user`,
    });
    expect(pending.id).toBe(pending.localId);
    const command = await sendCommand(pending.localId);
    expect(command).toEqual({
      messageId: pending.localId,
      chatId: '491700000002@c.us',
      phoneNumber: '491700000002',
      text: 'Hello from the dashboard',
    });

    // n8n: check-exists, sendText (WAHA announces the message by webhook), then the report.
    const wahaId = await wahaSendText(s, command!);
    await webhooksSettled(sim, s.id);
    expect(await reportSent(pending.localId, wahaId)).toEqual({
      id: pending.localId,
      wahaMessageId: wahaId,
      ack: 1,
      status: 'SENT',
      failureReason: null,
    });

    const status = async () => {
      const page = await messages(s, '491700000002@c.us');
      expect(page.edges).toHaveLength(1);
      return page.edges[0]!.node;
    };
    expect(await status()).toMatchObject({ id: wahaId, localId: pending.localId, status: 'SENT' });
    sim.ack(s.id, wahaId, 'DEVICE');
    await webhooksSettled(sim, s.id);
    expect(await status()).toMatchObject({ id: wahaId, status: 'DELIVERED', ack: 2, ackName: 'DEVICE' });
    sim.ack(s.id, wahaId, 'READ');
    await webhooksSettled(sim, s.id);
    expect(await status()).toMatchObject({ status: 'READ', ack: 3 });
    // A late SERVER ack (WAHA does not keep order) does not move it back.
    sim.ack(s.id, wahaId, 'SERVER');
    await webhooksSettled(sim, s.id);
    expect(await status()).toMatchObject({ status: 'READ', ack: 3 });
    // n8n retrying its report changes nothing.
    const rows = await rowsOf(s);
    expect(await reportSent(pending.localId, wahaId)).toMatchObject({ status: 'READ', ack: 3 });
    expect(await rowsOf(s)).toBe(rows);
  });

  it('keeps acks that arrive before the message and before n8n’s report, in any order', async () => {
    const pending = (await send(s, '4917000000003@c.us', 'Race')).data!.sendWhatsappMessage;
    const wahaId = 'true_4917000000003@c.us_3EB0AAAAAAAAAAAAAAA1';
    // READ first, then a late DEVICE: before WAHA's message.any and before the report.
    expect(
      (
        await deliver(t, s, 'message.ack', {
          id: wahaId,
          from: s.me,
          to: '4917000000003@c.us',
          fromMe: true,
          ack: 3,
          ackName: 'READ',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await deliver(t, s, 'message.ack', {
          id: wahaId,
          from: s.me,
          to: '4917000000003@c.us',
          fromMe: true,
          ack: 2,
          ackName: 'DEVICE',
        })
      ).status,
    ).toBe(200);
    expect(await sql(t, `select ack from message_ack_holds where waha_id = ?`, [wahaId])).toEqual([
      { ack: 3 },
    ]);
    expect(await reportSent(pending.localId, wahaId)).toMatchObject({ ack: 3, status: 'READ' });
    // Then WAHA's own announcement of the message (message.any, still PENDING for WAHA).
    await deliver(t, s, 'message.any', {
      id: wahaId,
      timestamp: Math.floor(Date.now() / 1000),
      from: s.me,
      fromMe: true,
      source: 'api',
      to: '4917000000003@c.us',
      body: 'Race',
      hasMedia: false,
      ack: 0,
      ackName: 'PENDING',
    });
    const page = await messages(s, '4917000000003@c.us');
    expect(page.edges.map((e) => [e.node.id, e.node.localId, e.node.status])).toEqual([
      [wahaId, pending.localId, 'READ'],
    ]);
    expect(await sql(t, `select * from message_ack_holds where waha_id = ?`, [wahaId])).toEqual([]);
  });

  it('merges WAHA’s webhook copy of our message (stored first, then acked) into our message when n8n reports it', async () => {
    const pending = (await send(s, '4917000000004@c.us', 'Copy')).data!.sendWhatsappMessage;
    const wahaId = await wahaSendText(s, (await sendCommand(pending.localId))!);
    sim.ack(s.id, wahaId, 'DEVICE');
    await webhooksSettled(sim, s.id);
    // Before the report, the dashboard sees WAHA's copy beside our PENDING message.
    expect((await messages(s, '4917000000004@c.us')).edges).toHaveLength(2);
    expect(await reportSent(pending.localId, wahaId)).toMatchObject({ status: 'DELIVERED', ack: 2 });
    const page = await messages(s, '4917000000004@c.us');
    expect(page.edges.map((e) => [e.node.id, e.node.localId, e.node.status, e.node.body])).toEqual([
      [wahaId, pending.localId, 'DELIVERED', 'Copy'],
    ]);
    const [chat] = (await chats(s)).edges.filter((e) => e.node.id === '4917000000004@c.us');
    expect(chat!.node.lastMessage!.localId).toBe(pending.localId);
  });

  it('reports FAILED with the reason, once; a message with another WAHA id is a CONFLICT', async () => {
    const pending = (await send(s, '4917000000005@c.us', 'Doomed')).data!.sendWhatsappMessage;
    const failed = await internalGql<{ reportMessageFailed: Record<string, unknown> }>(t, REPORT_FAILED, {
      input: {
        messageId: pending.localId,
        reason: 'Not on WhatsApp',
        wahaStatusCode: 422,
        wahaMessage: 'no',
      },
    });
    expect(failed.data!.reportMessageFailed).toEqual({
      id: pending.localId,
      wahaMessageId: null,
      ack: -1,
      status: 'FAILED',
      failureReason: 'Not on WhatsApp (WAHA 422: no)',
    });
    const rows = await rowsOf(s);
    await internalGql(t, REPORT_FAILED, {
      input: {
        messageId: pending.localId,
        reason: 'Not on WhatsApp',
        wahaStatusCode: 422,
        wahaMessage: 'no',
      },
    });
    expect(await rowsOf(s)).toBe(rows);
    expect((await messages(s, '4917000000005@c.us')).edges[0]!.node).toMatchObject({
      status: 'FAILED',
      failureReason: 'Not on WhatsApp (WAHA 422: no)',
    });

    const other = (await send(s, '4917000000005@c.us', 'Again')).data!.sendWhatsappMessage;
    await reportSent(other.localId, 'true_4917000000005@c.us_3EB0BBBBBBBBBBBBBBB1');
    const conflict = await internalGql(t, REPORT_SENT, {
      input: { messageId: other.localId, wahaMessageId: 'true_4917000000005@c.us_3EB0BBBBBBBBBBBBBBB2' },
    });
    expect(codesOf(conflict)).toEqual(['CONFLICT']);
    expect(
      codesOf(
        await internalGql(t, REPORT_SENT, { input: { messageId: 'nope', wahaMessageId: 'true_1@c.us_X' } }),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  it.each([
    ['a word', 'hello', 'to'],
    ['a chat id of another kind', '4917000000001@x.us', 'to'],
    ['a number without country code', '0170 1234567', 'to'],
  ])('refuses `to` as %s with BAD_USER_INPUT on its field, and stores nothing', async (_name, to, field) => {
    const rows = await rowsOf(s);
    const result = await send(s, to, 'x');
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }),
    ]);
    expect(await rowsOf(s)).toBe(rows);
  });

  it.each([
    ['empty', '   '],
    ['too long', 'x'.repeat(4097)],
  ])('refuses a text that is %s', async (_name, text) => {
    const result = await send(s, '4917000000001@c.us', text);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'A message text is 1 to 4096 characters',
        extensions: { code: 'BAD_USER_INPUT', field: 'text' },
      }),
    ]);
  });

  it('refuses to send through a session that is not WORKING, with its status, and stores nothing', async () => {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'Not linked' } },
      { token: s.token },
    );
    const id = created.data!.createWhatsappSession.id;
    const before = await sql(t, `select count(*)::int as n from outbox_commands where type = 'message.send'`);
    const result = await t.gql(
      SEND,
      { sessionId: id, to: '4917000000001@c.us', text: 'x' },
      { token: s.token },
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'The session is CREATING; sending needs WORKING',
        extensions: { code: 'FAILED_PRECONDITION', details: { status: 'CREATING', expected: ['WORKING'] } },
      }),
    ]);
    expect(await sql(t, `select * from messages where session_id = ?`, [id])).toEqual([]);
    expect(
      await sql(t, `select count(*)::int as n from outbox_commands where type = 'message.send'`),
    ).toEqual(before);
  });

  it('sends once for a retried request with the same idempotency key', async () => {
    const [first, retry] = await Promise.all([
      send(s, '4917000000006@c.us', 'Once', 'send-1'),
      send(s, '4917000000006@c.us', 'Once', 'send-1'),
    ]);
    expect(retry.data!.sendWhatsappMessage.localId).toBe(first.data!.sendWhatsappMessage.localId);
    expect((await messages(s, '4917000000006@c.us')).edges).toHaveLength(1);
    expect(
      await sql(
        t,
        `select count(*)::int as n from outbox_commands where type = 'message.send' and payload->>'chatId' = ?`,
        ['4917000000006@c.us'],
      ),
    ).toEqual([{ n: 1 }]);
    expect(codesOf(await send(s, '4917000000006@c.us', 'Other text', 'send-1'))).toEqual(['CONFLICT']);
  });

  it('syncs WAHA’s chats into the same rows, without duplicates; a second sync changes nothing', async () => {
    // Everything sent so far was reported, so every message has WAHA's id or never reached WAHA.
    const synced = await t.gql<{ syncWhatsappChats: boolean }>(SYNC, { sessionId: s.id }, { token: s.token });
    expect(synced.data).toEqual({ syncWhatsappChats: true });
    expect((await t.gql(SYNC, { sessionId: s.id }, { token: s.token })).data).toEqual({
      syncWhatsappChats: false,
    });
    const [command] = await sql<{ payload: unknown }>(
      t,
      `select payload from outbox_commands where type = 'chats.sync' and session_id = ?`,
      [s.id],
    );
    expect(command!.payload).toEqual({ chatsLimit: 20, messagesLimit: 20 });

    // n8n's chats.sync workflow against the simulator.
    const runSync = async () => {
      const overview = (await (await fetch(`${sim.url}/api/${s.id}/chats/overview?limit=20`)).json()) as {
        id: string;
      }[];
      const chatsResult = await internalGql<{ upsertChats: Record<string, number> }>(t, UPSERT_CHATS, {
        input: { sessionId: s.id, chats: overview },
      });
      const totals = {
        chats: chatsResult.data!.upsertChats,
        messages: { created: 0, updated: 0, unchanged: 0 },
      };
      for (const chat of overview) {
        const list = await (
          await fetch(`${sim.url}/api/${s.id}/chats/${encodeURIComponent(chat.id)}/messages?limit=20`)
        ).json();
        const result = await internalGql<{ upsertMessages: Record<string, number> }>(t, UPSERT_MESSAGES, {
          input: { sessionId: s.id, messages: list },
        });
        for (const key of ['created', 'updated', 'unchanged'] as const)
          totals.messages[key] += result.data!.upsertMessages[key]!;
      }
      return { overview, totals };
    };
    const before = await sql<{ chat_id: string }>(t, `select chat_id from chats where session_id = ?`, [
      s.id,
    ]);
    const first = await runSync();
    expect(first.totals.chats.created).toBe(0);
    expect(first.totals.messages.created).toBe(0);
    const after = await sql<{ chat_id: string }>(t, `select chat_id from chats where session_id = ?`, [s.id]);
    expect(after.map((r) => r.chat_id).sort()).toEqual(before.map((r) => r.chat_id).sort());
    const wahaIds = await sql<{ waha_id: string }>(
      t,
      `select waha_id from messages where session_id = ? and waha_id is not null`,
      [s.id],
    );
    expect(new Set(wahaIds.map((r) => r.waha_id)).size).toBe(wahaIds.length);

    const rows = await rowsOf(s);
    const second = await runSync();
    expect(second.totals.chats).toEqual({ created: 0, updated: 0, unchanged: first.overview.length });
    expect(second.totals.messages.created + second.totals.messages.updated).toBe(0);
    expect(await rowsOf(s)).toBe(rows);
  });

  it('imports chats WAHA has and webhooks never told us about, with WAHA’s unread count', async () => {
    const fresh = await linkedSession(t, sim, 'chat-co', { displayName: 'Import line' });
    const chatId = '4917000000099@c.us';
    const message = inboundMessage(fresh, chatId, 'Old news', 1_700_000_000);
    const result = await internalGql<{ upsertChats: Record<string, number> }>(t, UPSERT_CHATS, {
      input: {
        sessionId: fresh.id,
        chats: [
          { id: chatId, name: 'Old friend', picture: null, lastMessage: message, _chat: { unreadCount: 4 } },
        ],
      },
    });
    expect(result.data!.upsertChats).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const [chat] = (await chats(fresh)).edges.map((e) => e.node);
    expect(chat).toMatchObject({
      id: chatId,
      name: 'Old friend',
      unreadCount: 4,
      lastMessage: { body: 'Old news', id: message.id },
    });
    expect(chat!.lastActivityAt).toBe(new Date(1_700_000_000_000).toISOString());
    // History is not news: no automation command for it.
    expect(
      await sql(t, `select * from outbox_commands where type = 'message.received' and session_id = ?`, [
        fresh.id,
      ]),
    ).toEqual([]);
    const bad = await internalGql(t, UPSERT_MESSAGES, {
      input: { sessionId: fresh.id, messages: [message, { id: 'x' }] },
    });
    expect(bad.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.messages[1]' } }),
    ]);
  });

  it('pages chats and messages with stable cursors while new messages arrive', async () => {
    const p = await linkedSession(t, sim, 'chat-co', { displayName: 'Pager line' });
    const base = 1_800_000_000;
    // Five chats, c1 oldest … c5 newest; c5 has five messages.
    for (let i = 1; i <= 5; i += 1) {
      await deliver(t, p, 'message', inboundMessage(p, `491700000010${i}@c.us`, `c${i}`, base + i * 10));
    }
    for (let m = 1; m <= 4; m += 1) {
      await deliver(t, p, 'message', inboundMessage(p, '4917000000105@c.us', `m${m}`, base + 50 + m));
    }
    const first = await chats(p, { first: 2 });
    expect(first.edges.map((e) => e.node.id)).toEqual(['4917000000105@c.us', '4917000000104@c.us']);
    // New activity: in an unseen chat (c1 jumps to the top) and in a new chat.
    await deliver(t, p, 'message', inboundMessage(p, '4917000000101@c.us', 'c1 again', base + 100));
    await deliver(t, p, 'message', inboundMessage(p, '4917000000106@c.us', 'c6', base + 101));
    const second = await chats(p, { first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.id)).toEqual(['4917000000103@c.us', '4917000000102@c.us']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const top = await chats(p, { first: 2 });
    expect(top.edges.map((e) => e.node.id)).toEqual(['4917000000106@c.us', '4917000000101@c.us']);

    const page1 = await messages(p, '4917000000105@c.us', { first: 2 });
    expect(page1.edges.map((e) => e.node.body)).toEqual(['m4', 'm3']);
    await deliver(t, p, 'message', inboundMessage(p, '4917000000105@c.us', 'm5', base + 200));
    await deliver(t, p, 'message', inboundMessage(p, '4917000000105@c.us', 'same second', base + 53));
    const page2 = await messages(p, '4917000000105@c.us', { first: 2, before: page1.pageInfo.endCursor });
    expect(page2.edges.map((e) => e.node.body)).toEqual(['m2', 'm1']);
    const page3 = await messages(p, '4917000000105@c.us', { first: 2, before: page2.pageInfo.endCursor });
    expect(page3.edges.map((e) => e.node.body)).toEqual(['c5']);
    expect(page3.pageInfo.hasNextPage).toBe(false);
    expect(
      codesOf(
        await t.gql(
          MESSAGES,
          { sessionId: p.id, chatId: '4917000000105@c.us', before: 'junk' },
          { token: p.token },
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('reads 50 chats with their last messages in at most 3 SQL statements', async () => {
    const n = await linkedSession(t, sim, 'chat-co', { displayName: 'Fifty line' });
    const list = Array.from({ length: 50 }, (_, i) =>
      inboundMessage(n, `4917100000${String(i).padStart(3, '0')}@c.us`, `hello ${i}`, 1_750_000_000 + i),
    );
    expect(
      (
        await internalGql<{ upsertMessages: { created: number } }>(t, UPSERT_MESSAGES, {
          input: { sessionId: n.id, messages: list },
        })
      ).data!.upsertMessages.created,
    ).toBe(50);
    await chats(n, { first: 1 }); // the tenant check is cached after the first request, as in production
    const logger = t.app.get(MikroORM).config.getLogger();
    const original = logger.logQuery.bind(logger);
    const statements: string[] = [];
    logger.logQuery = (context) => {
      statements.push(String(context.query));
      original(context);
    };
    let page: Page<Chat>;
    try {
      page = await chats(n, { first: 50 });
    } finally {
      logger.logQuery = original;
    }
    expect(page.edges).toHaveLength(50);
    expect(page.edges.map((e) => e.node.lastMessage?.body)).toEqual(list.map((m) => m.body).reverse());
    expect(statements.length).toBeLessThanOrEqual(3);
  });
});
