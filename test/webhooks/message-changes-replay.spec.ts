import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MessageEvents } from '../../src/chats/message-events.js';
import { signBody } from '../../src/waha/webhook-hmac.js';
import { wahaEvent } from '../support/waha-event.js';
import {
  hmacKeyOf,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import {
  changeReads,
  edit,
  engineId,
  eventId,
  message,
  reaction,
  revoke,
} from './support/message-change-events.js';

/**
 * The new events are idempotent like every event: replayed 16 times at once, each has one
 * effect and one publish; they never reach another tenant's session that has the same message
 * ids; a payload that is not WAHA's is refused with a code and changes nothing.
 */
describe('POST /webhooks/waha: reactions, edits and revokes replayed, across tenants, and malformed', () => {
  let f: LinkedSessionFixture;
  let a: LinkedSession;
  let b: LinkedSession;
  const { shown, rows } = changeReads(() => f);

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'replay-a' });
    a = f.session;
    b = await f.link('replay-b');
  });
  afterAll(async () => {
    await f?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** One signed body, posted `times` times at once, as WAHA's retries and parallel workers can. */
  async function replay(
    session: LinkedSession,
    event: string,
    payload: Record<string, unknown>,
    times: number,
  ) {
    const body = JSON.stringify(
      wahaEvent({
        id: eventId(),
        timestamp: Date.now(),
        event,
        session: session.id,
        me: { id: session.me, pushName: 'Shop' },
        payload,
      }),
    );
    const headers = {
      'content-type': 'application/json',
      'x-webhook-hmac': signBody(body, await hmacKeyOf(f.t, session.id)),
    };
    const answers = await Promise.all(
      Array.from({ length: times }, async () => {
        const response = await fetch(`${f.t.url}/webhooks/waha`, { method: 'POST', headers, body });
        return { status: response.status, body: (await response.json()) as { status?: string } };
      }),
    );
    return answers.map((answer) => `${answer.status} ${answer.body.status}`).sort();
  }

  /** 16 answers, sorted: the one that stored it and 15 duplicates. */
  const once = [...Array<string>(15).fill('200 duplicate'), '200 stored'];

  it('gives every new event type replayed 16 times at once one effect and one publish', async () => {
    const chat = '4917000000201@c.us';
    const id = engineId();
    const original = message(a, chat, 'first words', id);
    expect((await f.deliver('message', original)).status).toBe(200);
    const publishes = jest.spyOn(f.t.app.get(MessageEvents), 'publishStored');
    const before = await rows(a);

    expect(await replay(a, 'message.reaction', reaction(a, original.id, '🎉'), 16)).toEqual(once);
    expect(publishes).toHaveBeenCalledTimes(1);
    expect((await rows(a)).events).toBe(before.events + 1);
    expect((await shown(a, chat, original.id))?.reactions.map((r) => r.reaction)).toEqual(['🎉']);

    expect(await replay(a, 'message.edited', edit(a, chat, id, 'second words'), 16)).toEqual(once);
    expect(publishes).toHaveBeenCalledTimes(2);
    // Applied twice, the text before would be the edit's own.
    expect(await shown(a, chat, original.id)).toMatchObject({
      body: 'second words',
      previousBody: 'first words',
    });

    expect(await replay(a, 'message.revoked', revoke(a, chat, id), 16)).toEqual(once);
    expect(publishes).toHaveBeenCalledTimes(3);
    expect(await shown(a, chat, original.id)).toMatchObject({ body: null, revokedAt: expect.any(String) });
    expect((await rows(a)).events).toBe(before.events + 3);
    const published = publishes.mock.calls.map(([, , stored]) => [stored.reactions?.length, stored.body]);
    expect(published).toEqual([
      [1, 'first words'],
      [1, 'second words'],
      [0, null],
    ]);
  });

  it("never touches tenant B's session that has the same message ids, and B's own changes stay B's", async () => {
    const chat = '4917000000202@c.us';
    const id = engineId();
    const ofA = message(a, chat, 'hello A', id);
    const ofB = message(b, chat, 'hello B', id);
    expect(ofA.id).toBe(ofB.id);
    expect((await f.deliver('message', ofA)).status).toBe(200);
    expect((await f.deliver('message', ofB, { session: b })).status).toBe(200);
    const bBefore = await rows(b);

    await f.deliver('message.reaction', reaction(a, ofA.id, '👀'));
    await f.deliver('message.edited', edit(a, chat, id, 'hello A, edited'));
    await f.deliver('message.revoked', revoke(a, chat, id));
    expect(await rows(b)).toEqual(bBefore);
    const shownB = await shown(b, chat, ofB.id);
    expect(shownB).toEqual({
      id: expect.stringMatching(/^wm_[0-9a-z]{26}$/),
      wahaId: ofB.id,
      body: 'hello B',
      editedAt: null,
      previousBody: null,
      revokedAt: null,
      reactions: [],
    });

    expect((await f.deliver('message.reaction', reaction(b, ofB.id, '✅'), { session: b })).status).toBe(200);
    expect(
      (await f.deliver('message.edited', edit(b, chat, id, 'hello B, edited'), { session: b })).status,
    ).toBe(200);
    expect(await shown(b, chat, ofB.id)).toMatchObject({ body: 'hello B, edited', previousBody: 'hello B' });
    expect((await shown(b, chat, ofB.id))?.reactions.map((r) => r.reaction)).toEqual(['✅']);
    // A's message is as A's own events left it.
    const shownA = await shown(a, chat, ofA.id);
    expect(shownA).toMatchObject({
      body: null,
      revokedAt: expect.any(String),
      reactions: [],
    });
    // One WAHA id, two messages: each session's has an id of its own.
    expect(shownA?.id).not.toBe(shownB?.id);
  });

  const chat = '4917000000203@c.us';
  const messageId = `false_${chat}_3EB0BADINPUT`;
  const bad: [string, string, () => Record<string, unknown>, string][] = [
    [
      'message.reaction',
      'no reaction',
      () => ({ ...reaction(a, messageId, '👍'), reaction: undefined }),
      '`reaction` must be an object',
    ],
    [
      'message.reaction',
      'no message id',
      () => ({ ...reaction(a, messageId, '👍'), reaction: { text: '👍' } }),
      '`reaction.messageId` must be a message id',
    ],
    [
      'message.reaction',
      'a long text',
      () => reaction(a, messageId, 'x'.repeat(65)),
      "`reaction.text` must be an emoji or '' (at most 64 characters)",
    ],
    [
      'message.reaction',
      'fromMe a string',
      () => ({ ...reaction(a, messageId, '👍'), fromMe: 'no' }),
      '`fromMe` must be a boolean',
    ],
    [
      'message.reaction',
      'a group reaction without its participant',
      () => ({
        ...reaction(a, `false_120363000000000009@g.us_3EB0X_${chat}`, '👍', { sender: chat }),
        participant: 7,
      }),
      '`participant` must name who reacted in a group',
    ],
    [
      'message.edited',
      'no editedMessageId',
      () => ({ ...edit(a, chat, 'X', 'new'), editedMessageId: undefined }),
      '`editedMessageId` must be a message id',
    ],
    [
      'message.edited',
      'a body that is no text',
      () => ({ ...edit(a, chat, 'X', 'new'), body: 42 }),
      '`body` must be the new text',
    ],
    [
      'message.edited',
      'no chat',
      () => ({ ...edit(a, chat, 'X', 'new'), from: 'nobody' }),
      '`from` must be a chat id',
    ],
    [
      'message.edited',
      'an id with a NUL',
      () => edit(a, chat, '3EB0\u0000', 'new'),
      '`editedMessageId` must be a message id',
    ],
    [
      'message.revoked',
      'neither after nor before',
      () => ({ revokedMessageId: 'X' }),
      '`after` or `before` must be the message',
    ],
    [
      'message.revoked',
      'after not a message',
      () => ({ after: 'gone', revokedMessageId: 'X' }),
      '`after` must be a message',
    ],
    [
      'message.revoked',
      'no id of the message at all',
      () => ({ after: { ...revoke(a, chat, 'X').after, id: undefined }, before: null }),
      '`revokedMessageId` must be a message id',
    ],
  ];

  it.each(bad)(
    'refuses a %s payload with %s: 400 NOT_A_WAHA_EVENT, nothing stored',
    async (event, _what, payload, why) => {
      const before = await rows(a);
      const answer = await f.deliver(event, payload());
      const what = {
        'message.reaction': 'reaction',
        'message.edited': 'message edit',
        'message.revoked': 'message revoke',
      }[event];
      expect(answer).toEqual({
        status: 400,
        body: { error: { code: 'NOT_A_WAHA_EVENT', message: `Not a WAHA ${what}: payload ${why}` } },
      });
      expect(await rows(a)).toEqual(before);
    },
  );
});
