import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { codesOf, sql, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import {
  deliver,
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { eventually } from '../support/eventually.js';
import { type Chat, chatsApi, MARK_READ, MESSAGES, type Page, UPSERT_MESSAGES } from './support/chats-api.js';
import { CHAT } from './support/outbound-api.js';

/** Tables only the app's background loops read in a test like this one, never a chats page. */
const BACKGROUND_TABLES =
  /\b(outbox_commands|tenant_webhook_deliveries|session_reconciliations|send_pacing|webhook_events|api_keys)\b|^update media\b/;

describe('chats and messages as the dashboard reads them', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let s: LinkedSession;
  const { chats, messages, send, rowsOf } = chatsApi(() => f);

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'chat-co' });
    ({ t, sim, session: s } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stores inbound messages from WAHA as chats with their last message and unread count, and marks a chat read', async () => {
    sim.inbound(s.id, { from: '4917000000001@c.us', body: 'Hi', pushName: 'Ann' });
    await webhooksSettled(sim, s.id);
    sim.inbound(s.id, { from: '4917000000001@c.us', body: 'Are you there?' });
    await webhooksSettled(sim, s.id);

    const [chat] = (await chats(s)).edges.map((e) => e.node);
    expect(chat).toMatchObject({
      id: expect.stringMatching(/^wc_/),
      chatId: '4917000000001@c.us',
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
    expect(chat!.lastMessage!.id).toMatch(/^wm_/);
    expect(chat!.lastMessage!.localId).toBe(chat!.lastMessage!.id);
    expect(chat!.lastMessage!.wahaId).toMatch(/^false_4917000000001@c\.us_/);
    expect((await messages(s, '4917000000001@c.us')).edges.map((e) => e.node.body)).toEqual([
      'Are you there?',
      'Hi',
    ]);

    const read = await t.gql(
      MARK_READ,
      { sessionId: s.id, chatId: '4917000000001@c.us' },
      { token: s.token },
    );
    expect(read.data).toEqual({ markChatRead: { id: chat!.id, unreadCount: 0 } });
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

  it('pages chats and messages with stable cursors while new messages arrive', async () => {
    const p = await f.link('chat-co', { displayName: 'Pager line' });
    const base = 1_800_000_000;
    // Five chats, c1 oldest … c5 newest; c5 has five messages.
    for (let i = 1; i <= 5; i += 1) {
      await deliver(t, p, 'message', inboundMessage(p, `491700000010${i}@c.us`, `c${i}`, base + i * 10));
    }
    for (let m = 1; m <= 4; m += 1) {
      await deliver(t, p, 'message', inboundMessage(p, '4917000000105@c.us', `m${m}`, base + 50 + m));
    }
    const first = await chats(p, { first: 2 });
    expect(first.edges.map((e) => e.node.chatId)).toEqual(['4917000000105@c.us', '4917000000104@c.us']);
    // New activity: in an unseen chat (c1 jumps to the top) and in a new chat.
    await deliver(t, p, 'message', inboundMessage(p, '4917000000101@c.us', 'c1 again', base + 100));
    await deliver(t, p, 'message', inboundMessage(p, '4917000000106@c.us', 'c6', base + 101));
    const second = await chats(p, { first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.chatId)).toEqual(['4917000000103@c.us', '4917000000102@c.us']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const top = await chats(p, { first: 2 });
    expect(top.edges.map((e) => e.node.chatId)).toEqual(['4917000000106@c.us', '4917000000101@c.us']);

    const page1 = await messages(p, '4917000000105@c.us', { first: 2 });
    expect(page1.edges.map((e) => e.node.body)).toEqual(['m4', 'm3']);
    await deliver(t, p, 'message', inboundMessage(p, '4917000000105@c.us', 'm5', base + 200));
    await deliver(t, p, 'message', inboundMessage(p, '4917000000105@c.us', 'same second', base + 53));
    const page2 = await messages(p, '4917000000105@c.us', { first: 2, after: page1.pageInfo.endCursor });
    expect(page2.edges.map((e) => e.node.body)).toEqual(['m2', 'm1']);
    const page3 = await messages(p, '4917000000105@c.us', { first: 2, after: page2.pageInfo.endCursor });
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
    const n = await f.link('chat-co', { displayName: 'Fifty line' });
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
      // The page's own statements: the app's job loops (outbox, media downloads, deliveries) poll
      // their tables meanwhile, and on a loaded machine one of their polls lands in this window.
      if (!BACKGROUND_TABLES.test(String(context.query))) statements.push(String(context.query));
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

  it('opens a chat by either of its ids: the chat, its messages, marking it read, sending to it, following it live', async () => {
    const phoneId = '4917000000020@c.us';
    const lid = '88000000000020@lid';
    const now = Math.floor(Date.now() / 1000);
    await deliver(t, s, 'message', inboundMessage(s, phoneId, 'By phone', now));
    // WAHA named the contact's LID too (HI's link keeps it as the chat's other id).
    await sql(t, `update chats set alt_chat_id = ? where session_id = ? and chat_id = ?`, [
      lid,
      s.id,
      phoneId,
    ]);

    const opened = await t.gql<{
      chat: { id: string; chatId: string; chatIds: string[]; unreadCount: number };
    }>(CHAT, { sessionId: s.id, chatId: lid }, { token: s.token });
    expect(opened.data!.chat).toMatchObject({
      id: expect.stringMatching(/^wc_/),
      chatId: phoneId,
      chatIds: [phoneId, lid],
      unreadCount: 1,
    });
    const chatKey = parseGlobalId(opened.data!.chat.id)!.key;
    expect(
      await sql(t, `select chat_id from chats where id = ? and session_id = ?`, [chatKey, s.id]),
    ).toEqual([{ chat_id: phoneId }]);
    expect((await messages(s, lid)).edges.map((e) => [e.node.chatId, e.node.body])).toEqual([
      [phoneId, 'By phone'],
    ]);
    const read = await t.gql(MARK_READ, { sessionId: s.id, chatId: lid }, { token: s.token });
    expect(read.data).toEqual({ markChatRead: { id: opened.data!.chat.id, unreadCount: 0 } });

    const client = graphqlWsClient(t, s.token);
    const live = subscribeWs<{ whatsappMessageUpserted: { message: { body: string; chatId: string } } }>(
      client,
      `subscription($sessionId: ID!, $chatId: ID) { whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) { message { body chatId } } }`,
      { sessionId: s.id, chatId: lid },
    );
    try {
      await eventually(() => expect(t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      // Sent to the LID, it lands in the same chat (no second chat), and the LID's follower hears it.
      const sent = await send(s, lid, 'By LID');
      expect(sent.data!.sendWhatsappMessage).toMatchObject({ chatId: phoneId, body: 'By LID' });
      await live.collected.until((items) => items.length >= 1);
      expect(live.collected.items[0]!.whatsappMessageUpserted.message).toEqual({
        body: 'By LID',
        chatId: phoneId,
      });
    } finally {
      live.dispose();
      await client.dispose();
    }
    expect(
      await sql(t, `select chat_id from chats where session_id = ? and ? in (chat_id, alt_chat_id)`, [
        s.id,
        lid,
      ]),
    ).toEqual([{ chat_id: phoneId }]);
    expect(
      await sql(t, `select count(*)::int as n from chats where session_id = ? and chat_id = ?`, [s.id, lid]),
    ).toEqual([{ n: 0 }]);
  });

  it("does not open tenant A's chat for tenant B by either id, nor an unknown chat: NOT_FOUND", async () => {
    const other = await f.link('chat-b');
    const lid = '88000000000020@lid';
    for (const [session, token] of [
      [s, other.token],
      [other, other.token],
    ] as const) {
      for (const chatId of [lid, '4917000000020@c.us']) {
        const result = await t.gql(CHAT, { sessionId: session.id, chatId }, { token });
        expect(codesOf(result)).toEqual(['NOT_FOUND']);
      }
    }
    expect(
      codesOf(await t.gql(CHAT, { sessionId: s.id, chatId: '4917000000029@c.us' }, { token: s.token })),
    ).toEqual(['NOT_FOUND']);
  });
});
