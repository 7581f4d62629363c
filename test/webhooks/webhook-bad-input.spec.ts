import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { METADATA_SESSION_ID, METADATA_TENANT_ID } from '../../src/whatsapp-sessions/waha-session-request.js';
import { signBody } from '../../src/waha/webhook-hmac.js';
import { sql, type TestApp } from '../support/app.js';
import { wahaEvent } from '../support/waha-event.js';
import {
  hmacKeyOf,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';

/**
 * Validly signed events that are not WAHA events as WAHA sends them. WAHA retries any 5xx (15
 * times by default), so each of these must be answered for what it is: a 4xx with a stable
 * code and nothing stored, or stored as well as it can be; never a 500.
 */

interface Answer {
  status: number;
  body: { status?: string; eventId?: string; reason?: string; error?: { code: string; message: string } };
}

/** Dates that are out of range for JavaScript, PostgreSQL or WAHA's format (integer Unix ms). */
const ABSURD_TIMESTAMPS: [string, string][] = [
  ['1e20 (no JavaScript date)', '1e20'],
  ['1e400 (Infinity once parsed)', '1e400'],
  ['-1 (before 1970)', '-1'],
  ['0 (no time at all)', '0'],
  ['-8.64e15 (a JavaScript date PostgreSQL refuses)', '-8640000000000000'],
  ['8.64e15 (the last JavaScript date, year 275760)', '8640000000000000'],
  ['1e15 (year 33658)', '1000000000000000'],
  ['a float', '1732000000000.5'],
  ['a numeric string', '"1732000000000"'],
  ['the string NaN', '"NaN"'],
];

describe('POST /webhooks/waha: bad input from a sender that can sign', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let session: LinkedSession;
  let key: string;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'bad-input-co' });
    ({ t, session } = f);
    key = await hmacKeyOf(t, session.id);
  });
  afterAll(async () => {
    await f?.close();
  });

  const envelope = (
    event: string,
    payload: Record<string, unknown>,
    me = { id: session.me, pushName: 'Shop' },
  ) =>
    wahaEvent({
      id: `evt_${ulid().toLowerCase()}`,
      timestamp: Date.now(),
      event,
      session: session.id,
      metadata: { [METADATA_TENANT_ID]: session.tenantId, [METADATA_SESSION_ID]: session.id },
      me,
      payload,
    });

  const inboundPayload = (overrides: Record<string, unknown> = {}) => {
    const from = '4917000000101@c.us';
    return {
      id: `false_${from}_3EB0${ulid()}`,
      timestamp: Math.floor(Date.now() / 1000),
      from,
      fromMe: false,
      source: 'app',
      to: session.me,
      body: 'Hello',
      hasMedia: false,
      ack: 1,
      ackName: 'SERVER',
      ...overrides,
    };
  };
  const messageEvent = (overrides: Record<string, unknown> = {}) =>
    envelope('message', inboundPayload(overrides));
  const statusEvent = (status: string, me = { id: session.me, pushName: 'Shop' }) =>
    envelope('session.status', { name: session.id, status, statuses: [] }, me);

  async function post(body: string): Promise<Answer> {
    const response = await fetch(`${t.url}/webhooks/waha`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-hmac': signBody(body, key) },
      body,
    });
    return { status: response.status, body: JSON.parse(await response.text()) as Answer['body'] };
  }

  /** Everything an event can change: its dedupe row, messages, chats, commands, and the session row. */
  async function state() {
    const [row] = await sql<Record<string, unknown>>(
      t,
      `select (select count(*) from webhook_events)::int as events, (select count(*) from messages)::int as messages,
        (select count(*) from chats)::int as chats, (select count(*) from outbox_commands)::int as commands,
        (select count(*) from message_ack_holds)::int as holds,
        s.status, s.me_id, s.me_push_name, s.updated_at
      from whatsapp_sessions s where s.id = ?`,
      [session.id],
    );
    return row!;
  }

  /** `event` as JSON text with its top-level timestamp replaced by `raw` (JSON text, so 1e400 stays itself). */
  const withTimestamp = (event: { timestamp: number }, raw: string) =>
    JSON.stringify({ ...event, timestamp: 1 }).replace('"timestamp":1,', `"timestamp":${raw},`);

  describe.each([
    ['message', () => messageEvent()],
    ['session.status', () => statusEvent('STOPPED')],
    ['message.ack', () => envelope('message.ack', { id: inboundPayload().id, ack: 3 })],
  ])('a %s event', (_kind, eventOf) => {
    it.each(ABSURD_TIMESTAMPS)(
      'with timestamp %s is a 400 NOT_A_WAHA_EVENT and changes nothing',
      async (_name, raw) => {
        const before = await state();
        const body = withTimestamp(eventOf(), raw);
        expect(body).toContain(`"timestamp":${raw},`);
        expect(await post(body)).toEqual({
          status: 400,
          body: {
            error: {
              code: 'NOT_A_WAHA_EVENT',
              message:
                'Not a WAHA event: `timestamp` must be a whole number of milliseconds from 1970 to 9999',
            },
          },
        });
        expect(await state()).toEqual(before);
      },
    );
  });

  it.each([
    ['1e20 seconds', 1e20],
    ['1e13 seconds (no JavaScript date)', 1e13],
    ['5e12 seconds (year 160419: a JavaScript date PostgreSQL refuses)', 5e12],
  ])("stores a message whose own timestamp is %s at the event's time instead", async (_name, seconds) => {
    const event = messageEvent({ timestamp: seconds });
    expect(await post(JSON.stringify(event))).toEqual({
      status: 200,
      body: { status: 'stored', eventId: event.id },
    });
    const [row] = await sql<{ ms: string }>(
      t,
      `select (extract(epoch from "timestamp") * 1000)::bigint::text as ms from messages where waha_id = ?`,
      [event.payload.id],
    );
    expect(row).toEqual({ ms: String(event.timestamp) });
  });

  it.each([
    ['a NUL', 'Hello\u0000World', 'Hello\uFFFDWorld'],
    ['a lone surrogate', 'Hello\uD800World', 'Hello\uFFFDWorld'],
    ['NULs only', '\u0000\u0000', '\uFFFD\uFFFD'],
  ])(
    'keeps a message whose body has %s, with U+FFFD in its place, in the message and in its command',
    async (_name, text, stored) => {
      const before = await state();
      const event = messageEvent({ body: text });
      const body = JSON.stringify(event);
      expect(await post(body)).toEqual({ status: 200, body: { status: 'stored', eventId: event.id } });
      const [row] = await sql<{ body: string; command: string }>(
        t,
        `select m.body, (select payload->>'body' from outbox_commands
          where type = 'message.received' and payload->>'messageId' = m.waha_id) as command
        from messages m where m.waha_id = ?`,
        [event.payload.id],
      );
      expect(row).toEqual({ body: stored, command: stored });
      expect(await state()).toMatchObject({
        events: (before['events'] as number) + 1,
        messages: (before['messages'] as number) + 1,
        commands: (before['commands'] as number) + 1,
      });
      // The same delivery again is the same event: a duplicate, nothing more.
      const after = await state();
      expect(await post(body)).toEqual({ status: 200, body: { status: 'duplicate', eventId: event.id } });
      expect(await state()).toEqual(after);
    },
  );

  it.each([
    [
      'a message id with a NUL',
      () => messageEvent({ id: 'false_4917000000101@c.us_3EB0\u0000X' }),
      'message',
    ],
    [
      'a message id with a control character',
      () => messageEvent({ id: 'false_4917000000101@c.us_3EB0\u0001X' }),
      'message',
    ],
    ['a message id as a number', () => messageEvent({ id: 42 }), 'message'],
    [
      'an ack of a message id with a NUL',
      () => envelope('message.ack', { id: 'false_1@c.us_\u0000', ack: 3 }),
      'ack',
    ],
    [
      'an ack of a message id over 200 characters',
      () => envelope('message.ack', { id: 'x'.repeat(201), ack: 3 }),
      'ack',
    ],
    ['payload as a string', () => ({ ...messageEvent(), payload: 'x' }), 'event'],
    ['an event id with a NUL', () => ({ ...messageEvent(), id: 'evt_\u0000' }), 'event'],
    ['an event id over 100 characters', () => ({ ...messageEvent(), id: `evt_${'a'.repeat(100)}` }), 'event'],
    [
      'a WORKING status whose account id has a NUL',
      () => statusEvent('WORKING', { id: '4915\u0000@c.us', pushName: 'Shop' }),
      'status',
    ],
    [
      'a WORKING status whose account id is over 100 characters',
      () => statusEvent('WORKING', { id: `${'4'.repeat(100)}@c.us`, pushName: 'Shop' }),
      'status',
    ],
  ])('answers 400 NOT_A_WAHA_EVENT for %s, and changes nothing', async (_name, eventOf, kind) => {
    const before = await state();
    const answer = await post(JSON.stringify(eventOf()));
    expect(answer).toEqual({
      status: 400,
      body: { error: { code: 'NOT_A_WAHA_EVENT', message: expect.any(String) } },
    });
    expect(answer.body.error!.message).toMatch(
      {
        message: /^Not a WAHA message: /,
        ack: /^Not a WAHA ack: /,
        event: /^Not a WAHA event: /,
        status: /^Not a WAHA session status: /,
      }[kind]!,
    );
    expect(await state()).toEqual(before);
  });

  it('keeps a WORKING status whose push name has a NUL or runs over 200 characters: the name with U+FFFD, cut to 200', async () => {
    const named = statusEvent('WORKING', { id: session.me, pushName: 'Sh\u0000op' });
    expect(await post(JSON.stringify(named))).toEqual({
      status: 200,
      body: { status: 'stored', eventId: named.id },
    });
    expect(await state()).toMatchObject({ status: 'WORKING', me_id: session.me, me_push_name: 'Sh\uFFFDop' });
    // Later than the first, so the order of the two is not left to their ids.
    const long = {
      ...statusEvent('WORKING', { id: session.me, pushName: `${'n'.repeat(199)}\u{1F600}tail` }),
      timestamp: named.timestamp + 1,
    };
    expect(await post(JSON.stringify(long))).toEqual({
      status: 200,
      body: { status: 'stored', eventId: long.id },
    });
    // Cut at 200 characters, never inside the emoji's surrogate pair.
    expect(await state()).toMatchObject({ status: 'WORKING', me_push_name: 'n'.repeat(199) });
  });

  it('answers 400 METADATA_MISMATCH for metadata that names the session with a deeply nested value', async () => {
    const before = await state();
    const event = messageEvent();
    const depth = 100_000;
    const body = JSON.stringify({ ...event, metadata: { [METADATA_SESSION_ID]: 0 } }).replace(
      `"${METADATA_SESSION_ID}":0`,
      `"${METADATA_SESSION_ID}":${'['.repeat(depth)}${']'.repeat(depth)}`,
    );
    expect(await post(body)).toEqual({
      status: 400,
      body: {
        error: { code: 'METADATA_MISMATCH', message: expect.stringMatching(/^metadata names session /) },
      },
    });
    expect(await state()).toEqual(before);
  });

  it('acknowledges deeply nested JSON in a payload it does not read, and an unknown event, without storing them', async () => {
    const before = await state();
    const depth = 100_000;
    const event = messageEvent();
    const nested = JSON.stringify({ ...event, payload: { ...event.payload, extra: 0 } }).replace(
      '"extra":0',
      `"extra":${'['.repeat(depth)}${']'.repeat(depth)}`,
    );
    expect(await post(nested)).toEqual({ status: 200, body: { status: 'stored', eventId: event.id } });
    const unknown = envelope('\u0000weird.event', { x: 1 });
    expect(await post(JSON.stringify(unknown))).toEqual({
      status: 200,
      body: { status: 'ignored', eventId: unknown.id, reason: 'event \u0000weird.event is not used' },
    });
    expect(await state()).toMatchObject({
      events: (before['events'] as number) + 1,
      messages: (before['messages'] as number) + 1,
    });
  });
});
