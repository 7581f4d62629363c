import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql, type TestApp } from '../support/app.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';

/**
 * WAHA makes its event ids itself, per server: two tenants' sessions (on one WAHA or two) may
 * send the same id. An event is a duplicate only of an event of the same session; an event of
 * another session with the same id is news and has its effect.
 */
describe('POST /webhooks/waha: dedupe is per session', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let a: LinkedSession;
  let b: LinkedSession;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'dedupe-a-co' });
    ({ t, session: a } = f);
    b = await f.link('dedupe-b-co');
  });
  afterAll(async () => {
    await f?.close();
  });

  const sharedId = (what: string) => `evt_shared_${what}_${Date.now().toString(36)}`;

  async function effectsOf(session: LinkedSession) {
    const [row] = await sql<Record<string, unknown>>(
      t,
      `select (select count(*) from webhook_events where session_id = s.id)::int as events,
        (select count(*) from messages where session_id = s.id)::int as messages,
        (select count(*) from outbox_commands where session_id = s.id and type = 'message.received')::int as received,
        (select count(*) from outbox_commands where session_id = s.id and type = 'session.fetchQr')::int as qr_fetches,
        (select count(*) from message_ack_holds where session_id = s.id)::int as holds,
        s.status
      from whatsapp_sessions s where s.id = ?`,
      [session.id],
    );
    return row!;
  }

  it('stores a message event of session B whose id session A already used, and both have their effect', async () => {
    const id = sharedId('message');
    const seconds = Math.floor(Date.now() / 1000);
    const beforeA = await effectsOf(a);
    const beforeB = await effectsOf(b);
    const toA = inboundMessage(a, '4917000000301@c.us', 'for A', seconds, '3EB0DEDUPEA');
    const toB = inboundMessage(b, '4917000000301@c.us', 'for B', seconds, '3EB0DEDUPEB');
    expect((await f.deliver('message', toA, { id })).body).toEqual({ status: 'stored', eventId: id });
    expect((await f.deliver('message', toB, { id, session: b })).body).toEqual({
      status: 'stored',
      eventId: id,
    });
    expect(await effectsOf(a)).toEqual({
      ...beforeA,
      events: (beforeA['events'] as number) + 1,
      messages: (beforeA['messages'] as number) + 1,
      received: (beforeA['received'] as number) + 1,
    });
    expect(await effectsOf(b)).toEqual({
      ...beforeB,
      events: (beforeB['events'] as number) + 1,
      messages: (beforeB['messages'] as number) + 1,
      received: (beforeB['received'] as number) + 1,
    });
    const bodies = await sql<{ session_id: string; body: string }>(
      t,
      `select session_id, body from messages where waha_id in (?, ?) order by body`,
      [toA.id, toB.id],
    );
    expect(bodies).toEqual([
      { session_id: a.id, body: 'for A' },
      { session_id: b.id, body: 'for B' },
    ]);

    // A true duplicate, within one session, is still one: answered duplicate, no second effect.
    const afterA = await effectsOf(a);
    const afterB = await effectsOf(b);
    expect((await f.deliver('message', toB, { id, session: b })).body).toEqual({
      status: 'duplicate',
      eventId: id,
    });
    expect((await f.deliver('message', toA, { id })).body).toEqual({ status: 'duplicate', eventId: id });
    expect(await effectsOf(a)).toEqual(afterA);
    expect(await effectsOf(b)).toEqual(afterB);
  });

  it('applies an ack event of session B whose id session A already used', async () => {
    const id = sharedId('ack');
    const ackA = { id: 'false_4917000000302@c.us_3EB0ACKA', ack: 3 };
    const ackB = { id: 'false_4917000000302@c.us_3EB0ACKB', ack: 3 };
    const beforeB = await effectsOf(b);
    // Acks of messages not stored yet: each is held for its message, in its own session.
    expect((await f.deliver('message.ack', ackA, { id })).body).toEqual({
      status: 'stored',
      eventId: id,
    });
    expect((await f.deliver('message.ack', ackB, { id, session: b })).body).toEqual({
      status: 'stored',
      eventId: id,
    });
    expect(await effectsOf(b)).toMatchObject({
      events: (beforeB['events'] as number) + 1,
      holds: (beforeB['holds'] as number) + 1,
    });
    const afterB = await effectsOf(b);
    expect((await f.deliver('message.ack', ackB, { id, session: b })).body).toEqual({
      status: 'duplicate',
      eventId: id,
    });
    expect(await effectsOf(b)).toEqual(afterB);
  });

  it('applies a session.status event of session B whose id session A already used', async () => {
    const id = sharedId('status');
    const at = Date.now() + 1000;
    const stopped = (session: LinkedSession) =>
      f.deliver(
        'session.status',
        { name: session.id, status: 'STOPPED', statuses: [] },
        { id, timestamp: at, session },
      );
    expect((await stopped(a)).body).toEqual({ status: 'stored', eventId: id });
    expect((await stopped(b)).body).toEqual({ status: 'stored', eventId: id });
    expect((await effectsOf(a))['status']).toBe('STOPPED');
    expect((await effectsOf(b))['status']).toBe('STOPPED');
    const afterB = await effectsOf(b);
    expect((await stopped(b)).body).toEqual({ status: 'duplicate', eventId: id });
    expect(await effectsOf(b)).toEqual(afterB);
  });
});
