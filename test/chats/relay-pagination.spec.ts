import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, sql, startTestApp, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { CREATE_SESSION } from '../support/linked-session.js';
import { BAD_PAGE_ARGS, expectPagesCover, type PageArgs } from '../support/relay-pages.js';
import { CHATS, type Chat, type Message, MESSAGES, type Page, UPSERT_MESSAGES } from './support/chats-api.js';

/**
 * chats and messages as Relay connections: forward and backward over the whole list with ties in
 * the sort key, narrowing between two cursors, PageInfo at both ends, and the refusals. Items are
 * told apart by their bodies (each chat's one message names it), whatever ids the API shows.
 */
describe('chats and messages: Relay cursor connections', () => {
  let t: TestApp;
  let token: string;
  let sessionId: string;
  const ME = '4915100000301@c.us';
  const CHAT = '4917000000300@c.us';
  const BASE = 1_800_000_000;
  // Several chats and messages share a second: the id breaks the tie, and no page may lose one.
  const CHAT_SECONDS = [10, 20, 20, 20, 30, 40, 40, 50];
  const MESSAGE_SECONDS = [1, 2, 2, 2, 3, 4, 4, 5, 6];

  const message = (chatId: string, body: string, seconds: number, n: number) => ({
    id: `false_${chatId}_3EB0RELAY${n}`,
    timestamp: BASE + seconds,
    from: chatId,
    fromMe: false,
    to: ME,
    body,
    hasMedia: false,
    ack: 1,
  });

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('relay-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'Relay line' } },
      { token },
    );
    sessionId = created.data!.createWhatsappSession.id;
    const linked = await internalGql(
      t,
      `mutation($id: ID!) { reportSessionStatus(input: { sessionId: $id, status: WORKING, me: { id: "${ME}" } }) { status } }`,
      { id: sessionId },
    );
    expect(linked.errors).toBeUndefined();
    const messages = [
      ...CHAT_SECONDS.map((s, i) => message(`491700000031${i}@c.us`, `chat-${i}`, s, i)),
      // The paged chat's messages are older than every other chat's, so it is the list's last.
      ...MESSAGE_SECONDS.map((s, i) => message(CHAT, `m${i}`, s - 10, 100 + i)),
    ];
    const stored = await internalGql(t, UPSERT_MESSAGES, { input: { sessionId, messages } });
    expect(stored.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function call<T>(query: string, vars: Record<string, unknown>, as = token) {
    return t.gql<T>(query, { sessionId, ...vars }, { token: as });
  }
  const chats = async (args: PageArgs) => {
    const result = await call<{ chats: Page<Chat> }>(CHATS, { ...args });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.chats;
  };
  const messages = async (args: PageArgs) => {
    const result = await call<{ messages: Page<Message> }>(MESSAGES, { chatId: CHAT, ...args });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.messages;
  };
  const chatKey = (chat: Chat) => chat.lastMessage!.body!;
  const messageKey = (m: Message) => m.body!;

  it('pages chats both ways in list order (most recent activity first, ties by chat), without gaps or repeats', async () => {
    // The order the list promises, from the rows themselves.
    const rows = await sql<{ body: string; at: Date }>(
      t,
      `select m.body, c.activity_at as at from chats c join messages m on m.id = c.last_message_id
        where c.session_id = ? order by c.activity_at desc, c.chat_id desc`,
      [sessionId],
    );
    expect(rows).toHaveLength(CHAT_SECONDS.length + 1);
    expect(new Set(rows.map((r) => String(r.at))).size).toBeLessThan(rows.length);
    await expectPagesCover(
      chats,
      rows.map((r) => r.body),
      chatKey,
    );
  });

  it('pages messages both ways in list order (newest first, ties by id), without gaps or repeats', async () => {
    const rows = await sql<{ body: string }>(
      t,
      `select m.body from messages m join chats c on c.id = m.chat_id
        where c.session_id = ? and c.chat_id = ? order by m."timestamp" desc, m.id desc`,
      [sessionId, CHAT],
    );
    expect(rows).toHaveLength(MESSAGE_SECONDS.length);
    await expectPagesCover(
      messages,
      rows.map((r) => r.body),
      messageKey,
    );
  });

  it('pages messages to older ones with first/after and to newer ones with last/before', async () => {
    const all = await messages({ first: 100 });
    const middle = all.edges[4]!;
    const times = (page: Page<Message>) => page.edges.map((e) => Date.parse(e.node.timestamp));
    const older = await messages({ first: 2, after: middle.cursor });
    const newer = await messages({ last: 2, before: middle.cursor });
    expect(older.edges.map((e) => e.node.body)).toEqual(all.edges.slice(5, 7).map((e) => e.node.body));
    expect(newer.edges.map((e) => e.node.body)).toEqual(all.edges.slice(2, 4).map((e) => e.node.body));
    for (const at of times(older)) expect(at).toBeLessThanOrEqual(Date.parse(middle.node.timestamp));
    for (const at of times(newer)) expect(at).toBeGreaterThanOrEqual(Date.parse(middle.node.timestamp));
    // Newest first whichever way it was paged.
    expect(times(newer)).toEqual([...times(newer)].sort((a, b) => b - a));
  });

  it('says at both ends of each list which way more lie', async () => {
    for (const list of [chats, messages]) {
      const newest = await list({ first: 2 });
      expect(newest.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const oldest = await list({ last: 2 });
      expect(oldest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      // Back from the oldest page by its startCursor: the items just before it, and more before those.
      const before = await list({ last: 2, before: oldest.pageInfo.startCursor });
      expect(before.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
      const past = await list({ first: 2, after: oldest.pageInfo.endCursor });
      expect(past.edges).toEqual([]);
      expect(past.pageInfo).toEqual({
        hasNextPage: false,
        hasPreviousPage: true,
        startCursor: null,
        endCursor: null,
      });
    }
  });

  it.each(BAD_PAGE_ARGS)(
    'refuses %s on chats and messages: BAD_USER_INPUT on the argument',
    async (_name, args, field, message) => {
      for (const [query, vars] of [
        [CHATS, {}],
        [MESSAGES, { chatId: CHAT }],
      ] as const) {
        const result = await call(query, { ...vars, ...args });
        expect(result.data ?? null).toBeNull();
        expect(result.errors).toEqual([
          expect.objectContaining({ message, extensions: { code: 'BAD_USER_INPUT', field } }),
        ]);
      }
    },
  );

  it("does not page tenant A's chats or messages for tenant B, either way: NOT_FOUND", async () => {
    const other = await t.token('relay-b');
    const chatCursor = (await chats({ first: 3 })).edges[2]!.cursor;
    const messageCursor = (await messages({ first: 3 })).edges[2]!.cursor;
    for (const args of [{}, { last: 2 }, { first: 2, after: chatCursor }, { last: 2, before: chatCursor }]) {
      expect(codesOf(await call(CHATS, args, other))).toEqual(['NOT_FOUND']);
    }
    for (const args of [
      {},
      { last: 2 },
      { first: 2, after: messageCursor },
      { last: 2, before: messageCursor },
    ]) {
      expect(codesOf(await call(MESSAGES, { chatId: CHAT, ...args }, other))).toEqual(['NOT_FOUND']);
    }
  });
});
