import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { signBody } from '../../src/waha/webhook-hmac.js';
import { probeKey } from '../../src/whatsapp-sessions/webhook-reachability.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { METADATA_SESSION_ID, METADATA_TENANT_ID } from '../../src/whatsapp-sessions/waha-session-request.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  deliver,
  eventually,
  hmacKeyOf,
  internalGql,
  linkedSession,
  type LinkedSession,
  sql,
  webhooksSettled,
} from '../support/linked-session.js';
import { wahaEvent } from '../support/waha-event.js';

const GLOBAL_KEY = 'global-webhook-key-for-tests-0123456789';
const MAX_BODY = 8192;

interface Answer {
  status: number;
  body: { status?: string; eventId?: string; reason?: string; error?: { code: string; message: string } };
}

describe('POST /webhooks/waha', () => {
  let t: TestApp;
  let sim: WahaSimulator;
  let session: LinkedSession;
  let key: string;

  beforeAll(async () => {
    sim = await startWahaSimulator({ timeScale: 0.01 });
    t = await startTestApp({ WEBHOOK_GLOBAL_HMAC_KEY: GLOBAL_KEY, WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY) });
    session = await linkedSession(t, sim, 'hooks-co');
    [{ webhook_hmac_key: key }] = (await sql<{ webhook_hmac_key: string }>(
      t,
      `select webhook_hmac_key from whatsapp_sessions where id = ?`,
      [session.id],
    )) as [{ webhook_hmac_key: string }];
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  /** A WAHA `message` event as WAHA's webhook sends it (openapi: WAHAWebhookMessage). */
  function inboundEvent(
    overrides: { from?: string; body?: string; sessionId?: string; metadata?: Record<string, string> } = {},
  ) {
    const from = overrides.from ?? '4917000000001@c.us';
    const sessionId = overrides.sessionId ?? session.id;
    return wahaEvent({
      id: `evt_${ulid().toLowerCase()}`,
      timestamp: Date.now(),
      event: 'message',
      session: sessionId,
      metadata: overrides.metadata ?? {
        [METADATA_TENANT_ID]: session.tenantId,
        [METADATA_SESSION_ID]: sessionId,
      },
      me: { id: session.me, pushName: 'Shop' },
      payload: {
        id: `false_${from}_3EB0${ulid()}`,
        timestamp: Math.floor(Date.now() / 1000),
        from,
        fromMe: false,
        source: 'app',
        to: session.me,
        body: overrides.body ?? 'Hello',
        hasMedia: false,
        ack: 1,
        ackName: 'SERVER',
      },
    });
  }

  async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${t.url}/webhooks/waha`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as Answer['body'] };
  }

  const signed = (body: string, signingKey = key) => ({
    'x-webhook-hmac': signBody(body, signingKey),
    'x-webhook-hmac-algorithm': 'sha512',
  });

  async function counts() {
    const [row] = await sql<{ events: number; messages: number; chats: number; commands: number }>(
      t,
      `select (select count(*) from webhook_events)::int as events, (select count(*) from messages)::int as messages,
        (select count(*) from chats)::int as chats, (select count(*) from outbox_commands where type = 'message.received')::int as commands`,
    );
    return row!;
  }

  it('stores a real inbound message WAHA delivers, signed with the session key, once for message and message.any', async () => {
    // Status events of the link may still be on their way: count from a quiet session.
    await webhooksSettled(sim, session.id);
    const before = await counts();
    const sent = sim.inbound(session.id, { from: '4917000000009@c.us', body: 'From the simulator' });
    await webhooksSettled(sim, session.id);
    const deliveries = sim
      .webhookDeliveries()
      .filter((d) => d.eventId && d.session === session.id && ['message', 'message.any'].includes(d.event));
    expect(deliveries.slice(-2).map((d) => [d.event, d.state, d.attempts.at(-1)?.status])).toEqual([
      ['message', 'delivered', 200],
      ['message.any', 'delivered', 200],
    ]);
    const [row] = await sql(t, `select body, from_me, has_media, ack from messages where waha_id = ?`, [
      sent.id,
    ]);
    expect(row).toEqual({ body: 'From the simulator', from_me: false, has_media: false, ack: 1 });
    const after = await counts();
    expect(after).toEqual({
      events: before.events + 2,
      messages: before.messages + 1,
      chats: before.chats + 1,
      commands: before.commands + 1,
    });
  });

  it.each([
    ['missing', () => ({})],
    ['wrong (another key)', (body: string) => signed(body, 'not-the-session-key')],
    ['not hex', () => ({ 'x-webhook-hmac': 'z'.repeat(128) })],
    [
      'computed over different bytes (same JSON, other spacing)',
      (body: string) => signed(JSON.stringify(JSON.parse(body), null, 2)),
    ],
  ])('answers 401 for a signature that is %s, and stores nothing', async (_name, headersFor) => {
    const before = await counts();
    const body = JSON.stringify(inboundEvent());
    const answer = await post(body, headersFor(body));
    expect(answer).toEqual({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED', message: expect.any(String) } },
    });
    expect(await counts()).toEqual(before);
  });

  it('answers 401 for an event of an unknown session signed with any key but the global one, and stores nothing', async () => {
    const before = await counts();
    const body = JSON.stringify(inboundEvent({ sessionId: 'ws_unknown_session' }));
    expect((await post(body, signed(body, key))).status).toBe(401);
    const global = await post(body, signed(body, GLOBAL_KEY));
    expect(global).toEqual({
      status: 200,
      body: { status: 'ignored', eventId: expect.any(String), reason: 'unknown session' },
    });
    expect(await counts()).toEqual(before);
  });

  it("accepts an event signed with the global key (WAHA's global webhook) for a known session", async () => {
    const before = await counts();
    const body = JSON.stringify(inboundEvent({ from: '4917000000077@c.us' }));
    expect(await post(body, signed(body, GLOBAL_KEY))).toEqual({
      status: 200,
      body: { status: 'stored', eventId: JSON.parse(body).id },
    });
    expect((await counts()).messages).toBe(before.messages + 1);
  });

  it.each([
    ['malformed JSON', () => `{"session": "${session.id}", "id": "evt_1", `, () => key, 'INVALID_JSON'],
    ['a JSON array', () => '[1, 2]', () => GLOBAL_KEY, 'NOT_A_WAHA_EVENT'],
    ['an object without WAHA fields', () => '{"hello": "world"}', () => GLOBAL_KEY, 'NOT_A_WAHA_EVENT'],
    [
      'an event without a timestamp',
      () => JSON.stringify({ ...inboundEvent(), timestamp: undefined }),
      () => key,
      'NOT_A_WAHA_EVENT',
    ],
  ])(
    'answers 400 for %s that is signed, 401 when it is not, and stores nothing',
    async (_name, bodyOf, keyOf, code) => {
      const before = await counts();
      const body = bodyOf();
      expect(await post(body, signed(body, keyOf()))).toEqual({
        status: 400,
        body: { error: { code, message: expect.any(String) } },
      });
      expect((await post(body, signed(body, 'someone-else'))).status).toBe(401);
      expect(await counts()).toEqual(before);
    },
  );

  it('answers 400 for a signed event whose message payload is not a WAHA message', async () => {
    const event = inboundEvent();
    const body = JSON.stringify({ ...event, payload: { ...event.payload, fromMe: 'no' } });
    expect(await post(body, signed(body))).toEqual({
      status: 400,
      body: {
        error: {
          code: 'NOT_A_WAHA_EVENT',
          message: 'Not a WAHA message: payload `fromMe` must be a boolean',
        },
      },
    });
  });

  it('answers 413 in the JSON error shape over the body limit, and stores nothing', async () => {
    const before = await counts();
    const body = JSON.stringify(inboundEvent({ body: 'x'.repeat(MAX_BODY) }));
    const answer = await post(body, signed(body));
    expect(answer).toEqual({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: `The body is larger than ${MAX_BODY} bytes` } },
    });
    expect(await counts()).toEqual(before);
  });

  it("refuses an event whose metadata names another tenant than the session's (the tenant comes from our database)", async () => {
    const before = await counts();
    const body = JSON.stringify(
      inboundEvent({ metadata: { [METADATA_TENANT_ID]: '00000000-0000-0000-0000-000000000000' } }),
    );
    expect(await post(body, signed(body))).toEqual({
      status: 400,
      body: {
        error: { code: 'METADATA_MISMATCH', message: "metadata names another tenant than the session's" },
      },
    });
    expect(await counts()).toEqual(before);
  });

  it('changes nothing on a replay: the same event delivered again is a 200 duplicate', async () => {
    const body = JSON.stringify(inboundEvent({ from: '4917000000002@c.us' }));
    const first = await post(body, signed(body));
    expect(first.body.status).toBe('stored');
    const before = await counts();
    const replay = await post(body, signed(body));
    expect(replay).toEqual({ status: 200, body: { status: 'duplicate', eventId: first.body.eventId } });
    expect(await counts()).toEqual(before);
  });

  it('has one effect for the same event delivered 16 times concurrently', async () => {
    const before = await counts();
    const event = inboundEvent({ from: '4917000000003@c.us' });
    const body = JSON.stringify(event);
    const answers = await Promise.all(Array.from({ length: 16 }, () => post(body, signed(body))));
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));
    expect(answers.map((a) => a.body.status).sort()).toEqual(
      ['stored', ...Array(15).fill('duplicate')].sort(),
    );
    expect(await counts()).toEqual({
      events: before.events + 1,
      messages: before.messages + 1,
      chats: before.chats + 1,
      commands: before.commands + 1,
    });
    const [chat] = await sql(t, `select unread_count from chats where session_id = ? and chat_id = ?`, [
      session.id,
      '4917000000003@c.us',
    ]);
    expect(chat).toEqual({ unread_count: 1 });
  });

  it('stores two first messages of a new chat, a copy and an early ack, all racing: each once, with the ack', async () => {
    // Each round: a new chat whose first two messages arrive at once, with WAHA's message.any copy
    // of the first and a READ ack of it. One statement creates the chat; the other message's
    // statement, which could not see it, is refused whole and runs again. The ack ends on the
    // message whichever comes first (held, then applied; or applied).
    const before = await counts();
    const rounds = 12;
    for (let i = 0; i < rounds; i++) {
      const from = `49170000077${String(i).padStart(2, '0')}@c.us`;
      const first = inboundEvent({ from });
      const second = inboundEvent({ from, body: 'And one more thing' });
      const copy = { ...first, id: `evt_${ulid().toLowerCase()}`, event: 'message.any' };
      const ack = {
        ...first,
        id: `evt_${ulid().toLowerCase()}`,
        event: 'message.ack',
        payload: { id: first.payload.id, from, to: session.me, fromMe: false, ack: 3, ackName: 'READ' },
      };
      const answers = await Promise.all(
        [first, second, copy, ack].map((event) => {
          const body = JSON.stringify(event);
          return post(body, signed(body));
        }),
      );
      expect(answers.map((a) => [a.status, a.body.status])).toEqual(Array(4).fill([200, 'stored']));
      const rows = await sql<{
        waha_id: string;
        ack: number;
        unread_count: number;
        last: boolean;
        holds: number;
      }>(
        t,
        `select m.waha_id, m.ack, c.unread_count, c.last_message_id in (select id from messages where chat_id = c.id) as last,
          (select count(*) from message_ack_holds h where h.session_id = m.session_id and h.waha_id = m.waha_id)::int as holds
        from messages m join chats c on c.id = m.chat_id where m.session_id = ? and c.chat_id = ? order by m.waha_id`,
        [session.id, from],
      );
      expect(rows).toEqual(
        [
          { waha_id: first.payload.id, ack: 3, unread_count: 2, last: true, holds: 0 },
          { waha_id: second.payload.id, ack: 1, unread_count: 2, last: true, holds: 0 },
        ].sort((a, b) => (a.waha_id < b.waha_id ? -1 : 1)),
      );
    }
    expect(await counts()).toEqual({
      events: before.events + 4 * rounds,
      messages: before.messages + 2 * rounds,
      chats: before.chats + rounds,
      commands: before.commands + 2 * rounds,
    });
  });

  it('has one effect when WAHA (the simulator) delivers every webhook twice, with the same request id', async () => {
    const before = await counts();
    sim.duplicateNextWebhooks(2);
    const sent = sim.inbound(session.id, { from: '4917000000004@c.us', body: 'twice' });
    await webhooksSettled(sim, session.id);
    const copies = sim.webhookDeliveries().filter((d) => d.duplicate && d.session === session.id);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(await counts()).toEqual({
      events: before.events + 2,
      messages: before.messages + 1,
      chats: before.chats + 1,
      commands: before.commands + 1,
    });
    const [command] = await sql<{ payload: Record<string, unknown> }>(
      t,
      `select payload from outbox_commands where type = 'message.received' and payload->>'messageId' = ?`,
      [sent.id],
    );
    expect(command!.payload).toEqual({
      chatId: '4917000000004@c.us',
      messageId: sent.id,
      from: '4917000000004@c.us',
      body: 'twice',
      timestamp: new Date(sent.timestamp * 1000).toISOString(),
      hasMedia: false,
    });
  });

  it('fetches a new QR for every SCAN_QR_CODE (each rotation), once per event however often it is delivered', async () => {
    const token = await t.token('qr-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "QR line" }) { id } }`,
      {},
      { token },
    );
    const id = created.data!.createWhatsappSession.id;
    const [command] = await sql<{ payload: { wahaRequest: { config: { webhooks: { url: string }[] } } } }>(
      t,
      `select payload from outbox_commands where session_id = ? and type = 'session.create'`,
      [id],
    );
    const request = command!.payload.wahaRequest;
    request.config.webhooks = request.config.webhooks.map((hook) => ({
      ...hook,
      url: `${t.url}/webhooks/waha`,
    }));
    sim.duplicateNextWebhooks(10);
    await fetch(`${sim.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const rotations = () =>
      sim.webhookDeliveries().filter((d) => d.session === id && d.event === 'session.status' && !d.duplicate)
        .length;
    // STARTING, then the first QR and one rotation: three distinct status events.
    await eventually(() => rotations() >= 3, 'two QRs');
    sim.link(id, { id: '4915100000999@c.us', pushName: 'QR shop' });
    await webhooksSettled(sim, id);
    const scans = sim
      .webhookDeliveries()
      .filter((d) => d.session === id && d.event === 'session.status' && !d.duplicate)
      .map((d) => d.eventId);
    const [{ fetches, events }] = (await sql<{ fetches: number; events: number }>(
      t,
      `select (select count(*) from outbox_commands where session_id = ? and type = 'session.fetchQr')::int as fetches,
        (select count(*) from webhook_events where session_id = ?)::int as events`,
      [id, id],
    )) as [{ fetches: number; events: number }];
    const scanEvents = sim.session(id)!.statuses.filter((s) => s.status === 'SCAN_QR_CODE').length;
    // One fetch per SCAN_QR_CODE event, none for a copy; a late one that a newer status already
    // superseded fetches nothing (the next test pins each case down).
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(scanEvents);
    expect(events).toBe(scans.length);
    const read = await t.gql<{ whatsappSession: { status: string; me: { id: string; pushName: string } } }>(
      `query($id: ID!) { whatsappSession(id: $id) { status me { id pushName } } }`,
      { id },
      { token },
    );
    expect(read.data!.whatsappSession).toEqual({
      status: 'WORKING',
      me: { id: '4915100000999@c.us', pushName: 'QR shop' },
    });
  });

  it('applies session statuses in WAHA’s order, not in delivery order: a late, older status changes nothing', async () => {
    const token = await t.token('order-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Order line" }) { id } }`,
      {},
      { token },
    );
    const target = {
      id: created.data!.createWhatsappSession.id,
      tenantId: '',
      me: '4915100000555@c.us',
      token,
    };
    const status = (value: string, timestamp: number, id?: string) =>
      deliver(
        t,
        target,
        'session.status',
        { name: target.id, status: value, statuses: [] },
        { timestamp, ...(id ? { id } : {}) },
      );
    const state = async () => {
      const [row] = await sql<{ status: string; me_id: string | null; fetches: number }>(
        t,
        `select status, me_id, (select count(*) from outbox_commands where session_id = s.id and type = 'session.fetchQr')::int as fetches
        from whatsapp_sessions s where id = ?`,
        [target.id],
      );
      return row;
    };
    const t0 = Date.now();
    expect((await status('SCAN_QR_CODE', t0 + 10)).body).toMatchObject({ status: 'stored' });
    expect(await state()).toEqual({ status: 'SCAN_QR_CODE', me_id: null, fetches: 1 });
    // The rotation: a new QR, delivered 5 times at once, fetched once.
    const rotation = `evt_${ulid().toLowerCase()}`;
    const copies = await Promise.all(
      Array.from({ length: 5 }, () => status('SCAN_QR_CODE', t0 + 20, rotation)),
    );
    expect(copies.map((c) => c.body['status']).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'stored',
    ]);
    expect(await state()).toEqual({ status: 'SCAN_QR_CODE', me_id: null, fetches: 2 });
    // STARTING from before the QRs, delivered late: stored (a retry is a duplicate), not applied.
    expect((await status('STARTING', t0)).body).toMatchObject({
      status: 'stored',
      reason: 'a newer status was already applied',
    });
    expect(await state()).toEqual({ status: 'SCAN_QR_CODE', me_id: null, fetches: 2 });
    const working = await deliver(
      t,
      target,
      'session.status',
      { name: target.id, status: 'WORKING', statuses: [] },
      { timestamp: t0 + 30 },
    );
    expect(working.body).toMatchObject({ status: 'stored' });
    expect(await state()).toEqual({ status: 'WORKING', me_id: target.me, fetches: 2 });
    // A QR rotation that WAHA sent before the phone linked, arriving after: no status change, no fetch.
    expect((await status('SCAN_QR_CODE', t0 + 25)).body).toMatchObject({
      status: 'stored',
      reason: 'a newer status was already applied',
    });
    expect(await state()).toEqual({ status: 'WORKING', me_id: target.me, fetches: 2 });
  });

  it('stores nothing for a session removed while its key was still cached, and then refuses its events', async () => {
    const token = await t.token('gone-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Soon gone" }) { id } }`,
      {},
      { token },
    );
    const gone = {
      id: created.data!.createWhatsappSession.id,
      tenantId: '',
      me: '4915100000666@c.us',
      token,
    };
    const key = await hmacKeyOf(t, gone.id);
    expect(
      (await deliver(t, gone, 'session.status', { name: gone.id, status: 'STARTING', statuses: [] })).status,
    ).toBe(200);
    await t.gql(`mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }`, { id: gone.id }, { token });
    const removed = await internalGql(
      t,
      `mutation($id: ID!) { reportSessionDeleted(input: { sessionId: $id }) }`,
      { id: gone.id },
    );
    expect(removed.data).toEqual({ reportSessionDeleted: true });
    const message = { ...inboundEvent({ sessionId: gone.id, metadata: {} }), session: gone.id };
    const body = JSON.stringify(message);
    expect(await post(body, signed(body, key))).toEqual({
      status: 200,
      body: { status: 'ignored', eventId: message.id, reason: 'unknown session' },
    });
    expect(await sql(t, `select * from chats where session_id = ?`, [gone.id])).toEqual([]);
    const again = JSON.stringify({ ...message, id: `evt_${ulid().toLowerCase()}` });
    expect((await post(again, signed(again, key))).status).toBe(401);
  });

  it('still answers the signed probe that session creation depends on', async () => {
    const body = JSON.stringify({
      id: 'probe_1',
      timestamp: Date.now(),
      event: 'whatsapp-hub.probe',
      session: null,
      payload: { nonce: 'n-123' },
    });
    expect(await post(body, signed(body, probeKey(t.config)))).toEqual({
      status: 200,
      body: { probe: 'n-123' },
    });
  });

  it('acknowledges a signed event this service does not use without storing it', async () => {
    const before = await counts();
    const event = { ...inboundEvent(), event: 'presence.update', payload: { id: session.me } };
    const body = JSON.stringify(event);
    expect(await post(body, signed(body))).toEqual({
      status: 200,
      body: { status: 'ignored', eventId: event.id, reason: 'event presence.update is not used' },
    });
    expect(await counts()).toEqual(before);
  });
});
