import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { CREATE_SESSION } from '../support/linked-session.js';

/**
 * Malformed arguments of the chats API, from a caller with a valid token: each is
 * BAD_USER_INPUT with the argument in `field`, never INTERNAL_SERVER_ERROR, and changes nothing.
 */

const CHATS = `query($sessionId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  chats(sessionId: $sessionId, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const MESSAGES = `query($sessionId: ID!, $chatId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  messages(sessionId: $sessionId, chatId: $chatId, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id body } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const SEND = `mutation($sessionId: ID!, $to: String!, $text: String!) {
  sendWhatsappMessage(sessionId: $sessionId, to: $to, text: $text) { id }
}`;
const MARK_READ = `mutation($sessionId: ID!, $chatId: ID!) { markChatRead(sessionId: $sessionId, chatId: $chatId) { id } }`;
const SYNC = `mutation($sessionId: ID!) { syncWhatsappChats(sessionId: $sessionId) }`;
const UPSERT_MESSAGES = `mutation($input: UpsertMessagesInput!) { upsertMessages(input: $input) { created updated unchanged } }`;
const REPORT_SENT = `mutation($input: ReportMessageSentInput!) { reportMessageSent(input: $input) { id } }`;
const REPORT_FAILED = `mutation($input: ReportMessageFailedInput!) { reportMessageFailed(input: $input) { id status failureReason } }`;
const UPSERT_CHATS = `mutation($input: UpsertChatsInput!) { upsertChats(input: $input) { created updated unchanged } }`;

const CHAT = '4917000000201@c.us';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Cursors no page of this API ever returned: each must be refused as input. */
const MALFORMED_CURSORS: [string, string][] = [
  ['a time part that is not a number', b64('["abc","01J00000000000000000000000"]')],
  ['a time part that is a numeric string', b64('["1732000000000","x"]')],
  ['a time part of 1e400 (Infinity)', b64('[1e400,"x"]')],
  ['a time part of 1e20', b64('[1e20,"x"]')],
  ['a time part PostgreSQL cannot hold (-8.64e15)', b64('[-8640000000000000,"x"]')],
  ['a time part past year 9999 (8.64e15)', b64('[8640000000000000,"x"]')],
  ['a fractional time part', b64('[1732000000000.5,"x"]')],
  ['a NUL in the id part', b64('[1732000000000,"a\\u0000b"]')],
  ['a number as the id part', b64('[1732000000000,12]')],
  ['an id part of 10,000 characters', b64(`[1732000000000,"${'x'.repeat(10_000)}"]`)],
  ['the wrong arity', b64('[1732000000000]')],
  ['an object', b64('{"at":1,"id":"x"}')],
  ['not JSON', b64('not json')],
  ['not base64', '%%%***'],
  ['empty JSON array', b64('[]')],
  ['nested arrays', b64('[[1],["x"]]')],
];

describe('chats API: malformed arguments', () => {
  let t: TestApp;
  let token: string;
  let sessionId: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('cursor-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'Cursor line' } },
      { token },
    );
    sessionId = created.data!.createWhatsappSession.id;
    const linked = await internalGql(
      t,
      `mutation($id: ID!) { reportSessionStatus(input: { sessionId: $id, status: WORKING, me: { id: "4915100000201@c.us" } }) { status } }`,
      { id: sessionId },
    );
    expect(linked.data).toEqual({ reportSessionStatus: { status: 'WORKING' } });
    const seconds = Math.floor(Date.now() / 1000);
    const stored = await internalGql(t, UPSERT_MESSAGES, {
      input: {
        sessionId,
        messages: [0, 1, 2].map((i) => ({
          id: `false_${CHAT}_3EB0CURSOR${i}`,
          timestamp: seconds - 10 + i,
          from: CHAT,
          fromMe: false,
          to: '4915100000201@c.us',
          body: `m${i}`,
          hasMedia: false,
          ack: 1,
        })),
      },
    });
    expect(stored.data).toEqual({ upsertMessages: { created: 3, updated: 0, unchanged: 0 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function rows() {
    const [row] = await sql<Record<string, number>>(
      t,
      `select (select count(*) from messages)::int as messages, (select count(*) from chats)::int as chats,
        (select count(*) from outbox_commands)::int as commands`,
    );
    return row!;
  }

  const badInput = (field: string, message?: string) => [
    expect.objectContaining({
      ...(message === undefined ? {} : { message }),
      extensions: { code: 'BAD_USER_INPUT', field },
    }),
  ];

  it('pages with the cursors it returns (the well-formed case still works)', async () => {
    const first = await t.gql<{
      messages: { edges: { node: { body: string } }[]; pageInfo: { endCursor: string } };
    }>(MESSAGES, { sessionId, chatId: CHAT, first: 2 }, { token });
    expect(first.data!.messages.edges.map((e) => e.node.body)).toEqual(['m2', 'm1']);
    const next = await t.gql<{ messages: { edges: { node: { body: string } }[] } }>(
      MESSAGES,
      { sessionId, chatId: CHAT, first: 2, after: first.data!.messages.pageInfo.endCursor },
      { token },
    );
    expect(next.data!.messages.edges.map((e) => e.node.body)).toEqual(['m0']);
    const chats = await t.gql<{ chats: { edges: unknown[]; pageInfo: { endCursor: string } } }>(
      CHATS,
      { sessionId, first: 1 },
      { token },
    );
    expect(chats.data!.chats.edges).toHaveLength(1);
    const after = await t.gql<{ chats: { edges: unknown[] } }>(
      CHATS,
      { sessionId, first: 1, after: chats.data!.chats.pageInfo.endCursor },
      { token },
    );
    expect(after.data!.chats.edges).toEqual([]);
  });

  // Either cursor argument, paging either way: the same refusal on the argument that carried it.
  const CURSOR_ARGUMENTS = [
    ['chats', 'after', { first: 2 }],
    ['chats', 'before', { last: 2 }],
    ['messages', 'after', { first: 2 }],
    ['messages', 'before', { last: 2 }],
  ] as const;
  it.each(
    CURSOR_ARGUMENTS.flatMap(([list, field, size]) =>
      MALFORMED_CURSORS.map(([name, cursor]) => [list, field, name, size, cursor] as const),
    ),
  )('refuses %s(%s:) with %s: BAD_USER_INPUT on it', async (list, field, _name, size, cursor) => {
    const [query, vars] = list === 'chats' ? [CHATS, { sessionId }] : [MESSAGES, { sessionId, chatId: CHAT }];
    const result = await t.gql(query, { ...vars, ...size, [field]: cursor }, { token });
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toEqual(badInput(field, `${field} is not a cursor this API returned`));
  });

  it.each(
    (['after', 'before'] as const).flatMap((field) =>
      [
        ['a NUL in its id', b64('["ws_a\\u0000b"]')],
        ['an id of 10,000 characters', b64(`["${'x'.repeat(10_000)}"]`)],
        ['a fractional number', b64('[1.5]')],
      ].map(([name, cursor]) => [field, name!, cursor!] as const),
    ),
  )(
    'refuses whatsappSessions(%s:) with %s too (the cursor rules are shared)',
    async (field, _name, cursor) => {
      const result = await t.gql(
        `query($after: String, $before: String) { whatsappSessions(after: $after, before: $before) { edges { node { id } } } }`,
        { [field]: cursor },
        { token },
      );
      expect(result.errors).toEqual(badInput(field, `${field} is not a cursor this API returned`));
    },
  );

  it('refuses a malformed cursor before it looks the chat up (the argument is wrong whatever the chat)', async () => {
    const result = await t.gql(
      MESSAGES,
      { sessionId, chatId: 'nobody@c.us', before: MALFORMED_CURSORS[0]![1] },
      { token },
    );
    expect(result.errors).toEqual(badInput('before'));
  });

  it.each([
    ['chats', CHATS, (id: string) => ({ sessionId: id })],
    ['messages', MESSAGES, (id: string) => ({ sessionId: id, chatId: CHAT })],
    ['markChatRead', MARK_READ, (id: string) => ({ sessionId: id, chatId: CHAT })],
    ['syncWhatsappChats', SYNC, (id: string) => ({ sessionId: id })],
    ['sendWhatsappMessage', SEND, (id: string) => ({ sessionId: id, to: CHAT, text: 'hi' })],
  ])('refuses %s with a NUL in the session id: BAD_USER_INPUT on `sessionId`', async (_name, query, vars) => {
    const before = await rows();
    const result = await t.gql(query, vars(`${sessionId}\u0000`), { token });
    expect(result.errors).toEqual(badInput('sessionId'));
    expect(await rows()).toEqual(before);
  });

  it.each([
    ['messages', MESSAGES],
    ['markChatRead', MARK_READ],
  ])('refuses %s with a NUL in the chat id: BAD_USER_INPUT on `chatId`', async (_name, query) => {
    const before = await rows();
    const result = await t.gql(query, { sessionId, chatId: `${CHAT}\u0000` }, { token });
    expect(result.errors).toEqual(badInput('chatId'));
    expect(await rows()).toEqual(before);
  });

  it.each([
    ['a NUL', 'Hello\u0000World'],
    ['a lone surrogate', 'Hello\uD800World'],
  ])('refuses to send a text with %s: BAD_USER_INPUT on `text`, and stores nothing', async (_name, text) => {
    const before = await rows();
    const result = await t.gql(SEND, { sessionId, to: CHAT, text }, { token });
    expect(result.errors).toEqual(badInput('text'));
    expect(await rows()).toEqual(before);
  });

  it("stores n8n's synced messages with what PostgreSQL cannot hold made storable, and refuses a bad id", async () => {
    const seconds = Math.floor(Date.now() / 1000);
    const item = (id: string, extra: Record<string, unknown>) => ({
      id: `false_${CHAT}_${id}`,
      timestamp: seconds,
      from: CHAT,
      fromMe: false,
      to: '4915100000201@c.us',
      body: 'x',
      hasMedia: false,
      ack: 1,
      ...extra,
    });
    const synced = await internalGql(t, UPSERT_MESSAGES, {
      input: {
        sessionId,
        messages: [
          item('3EB0SYNCNUL', { body: 'a\u0000b' }),
          item('3EB0SYNCSURROGATE', { body: 'a\uDC00b' }),
          item('3EB0SYNCFAR', { timestamp: 1e20 }),
        ],
      },
    });
    expect(synced.errors).toBeUndefined();
    expect(synced.data).toEqual({ upsertMessages: { created: 3, updated: 0, unchanged: 0 } });
    const stored = await sql<{ waha_id: string; body: string; far: boolean }>(
      t,
      `select waha_id, body, "timestamp" > now() + interval '1 day' as far from messages where waha_id like ? order by waha_id`,
      [`false_${CHAT}_3EB0SYNC%`],
    );
    expect(stored).toEqual([
      { waha_id: `false_${CHAT}_3EB0SYNCFAR`, body: 'x', far: false },
      { waha_id: `false_${CHAT}_3EB0SYNCNUL`, body: 'a\uFFFDb', far: false },
      { waha_id: `false_${CHAT}_3EB0SYNCSURROGATE`, body: 'a\uFFFDb', far: false },
    ]);

    const before = await rows();
    const refused = await internalGql(t, UPSERT_MESSAGES, {
      input: { sessionId, messages: [item('3EB0OK', {}), item('3EB0\u0000', {})] },
    });
    expect(refused.errors).toEqual(badInput('input.messages[1]'));
    expect(await rows()).toEqual(before);

    const chats = await internalGql(t, UPSERT_CHATS, {
      input: {
        sessionId,
        chats: [
          { id: '4917000000202@c.us', name: 'Na\u0000me', conversationTimestamp: 1e20, unreadCount: 1e12 },
        ],
      },
    });
    expect(chats.errors).toBeUndefined();
    const [chat] = await sql<{ name: string; sane: boolean; unread_count: number }>(
      t,
      `select name, activity_at < now() + interval '1 day' as sane, unread_count from chats where chat_id = ?`,
      ['4917000000202@c.us'],
    );
    // An unread count past what a count can be is treated as unknown, like a missing one.
    expect(chat).toEqual({ name: 'Na\uFFFDme', sane: true, unread_count: 0 });
  });

  it("refuses n8n's message reports naming ids PostgreSQL cannot hold, and keeps a failure reason storable", async () => {
    const sent = await t.gql<{ sendWhatsappMessage: { id: string } }>(
      SEND,
      { sessionId, to: CHAT, text: 'to fail' },
      { token },
    );
    // n8n names the message by its row key (the command's messageId); our wm_ id is taken too.
    const globalId = sent.data!.sendWhatsappMessage.id;
    const localId = parseGlobalId(globalId)!.key;
    const before = await rows();
    for (const messageId of [`${localId}\u0000`, `${globalId}\u0000`]) {
      expect(
        (
          await internalGql(t, REPORT_SENT, {
            input: { messageId, wahaMessageId: `true_${CHAT}_3EB0REPORT` },
          })
        ).errors,
      ).toEqual(badInput('input.messageId'));
    }
    expect(
      (
        await internalGql(t, REPORT_SENT, {
          input: { messageId: localId, wahaMessageId: `true_${CHAT}_3EB0\u0000` },
        })
      ).errors,
    ).toEqual(badInput('input.wahaMessageId'));
    expect(
      (await internalGql(t, REPORT_FAILED, { input: { messageId: `${localId}\u0000`, reason: 'x' } })).errors,
    ).toEqual(badInput('input.messageId'));
    expect(await rows()).toEqual(before);

    const failed = await internalGql<{ reportMessageFailed: Record<string, unknown> }>(t, REPORT_FAILED, {
      input: { messageId: localId, reason: 'Bad\u0000thing', wahaStatusCode: 500, wahaMessage: 'odd \uD800' },
    });
    expect(failed.errors).toBeUndefined();
    expect(failed.data!.reportMessageFailed).toEqual({
      id: localId,
      status: 'FAILED',
      failureReason: 'Bad\uFFFDthing (WAHA 500: odd \uFFFD)',
    });
  });

  it.each([
    ['session id', () => ({ sessionId: `${sessionId}\u0000` }), 'sessionId'],
    ['chat id', () => ({ sessionId, chatId: `${CHAT}\u0000` }), 'chatId'],
  ])(
    'refuses a message subscription with a NUL in the %s: BAD_USER_INPUT on its argument',
    async (_name, vars, field) => {
      const client = graphqlWsClient(t, token);
      const subscription = subscribeWs(
        client,
        `subscription($sessionId: ID!, $chatId: ID) { whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) { replaces } }`,
        vars(),
      );
      try {
        await subscription.collected.settled();
        expect(subscription.collected.errors.flat()).toEqual([
          expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } }),
        ]);
      } finally {
        subscription.dispose();
        await client.dispose();
      }
    },
  );
});
