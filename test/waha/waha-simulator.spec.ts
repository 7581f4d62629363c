import { createHash, createHmac } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import type { WebhookConfig } from '../../src/waha/waha.types.js';
import { WAHA_CLOCK } from '../tools/waha-sim/sim-engine.js';
import { retryDelaySeconds } from '../tools/waha-sim/webhook-dispatcher.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const KEY = 'sim-spec-key';
const CHAT = '4915112345678@c.us';
const ALL_EVENTS = ['session.status', 'message', 'message.any', 'message.ack'];

/** Waits for a condition the simulator reaches asynchronously; jest's timeout bounds it. */
async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const SCALE = 0.25;

describe('WAHA simulator', () => {
  let sim: WahaSimulator;
  let hooks: WebhookReceiver;
  let n = 0;
  const fresh = () => `sim_${++n}`;

  /** WAHA's API over real HTTP, as a client that is not ours would call it. */
  async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(sim.url + path, {
      method,
      headers: {
        'x-api-key': KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      type,
      bytes: text,
      json: type.startsWith('application/json')
        ? (JSON.parse(text.toString('utf8')) as Record<string, unknown>)
        : null,
    };
  }

  function webhook(extra: Partial<WebhookConfig> = {}): WebhookConfig {
    return { url: hooks.url, events: ALL_EVENTS, ...extra };
  }

  async function create(name: string, hook: Partial<WebhookConfig> = {}, metadata?: Record<string, string>) {
    const res = await api('POST', '/api/sessions', {
      name,
      start: true,
      config: { webhooks: [webhook(hook)], ...(metadata ? { metadata } : {}) },
    });
    expect(res.status).toBe(201);
    return res;
  }

  beforeAll(async () => {
    // 1/4 speed: the first QR lives 15 s and the window 40 s, so a busy machine does not see a QR
    // rotate between two calls of a test (at 1/20 it did); STARTING 500 ms; a 1 s retry delay 250 ms.
    sim = await startWahaSimulator({ apiKey: KEY, timeScale: SCALE, engine: 'NOWEB' });
    hooks = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sim.close();
    await hooks.close();
  });
  beforeEach(() => {
    hooks.respondWith(() => 200);
  });

  describe('QR rotation on WAHA clock', () => {
    it('rotates 6 QRs (each a session.status SCAN_QR_CODE), then FAILS; restart starts over', async () => {
      const fast = await startWahaSimulator({ timeScale: 0.01 }); // the whole 160 s window in 1.6 s
      try {
        // The QR current when each session.status arrives, read as WAHA's receiver would see it.
        const qrAtEvent: (string | undefined)[] = [];
        hooks.respondWith((hook) => {
          if (hook.body.session === 'cycle' && hook.body.payload.status === 'SCAN_QR_CODE') {
            qrAtEvent.push(fast.session('cycle')?.qr?.value);
          }
          return 200;
        });
        const res = await fetch(`${fast.url}/api/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'cycle', start: true, config: { webhooks: [webhook()] } }),
        });
        expect(res.status).toBe(201);
        await fast.waitForStatus('cycle', 'FAILED');
        const statuses = () => hooks.events('cycle', 'session.status').map((h) => h.body.payload.status);
        await hooks.waitFor(() => statuses().includes('FAILED'));
        expect(statuses()).toEqual([
          'STARTING',
          ...Array<string>(WAHA_CLOCK.qrCount).fill('SCAN_QR_CODE'),
          'FAILED',
        ]);
        expect(new Set(qrAtEvent).size).toBe(WAHA_CLOCK.qrCount);
        expect(qrAtEvent.every((qr) => qr?.startsWith('2@'))).toBe(true);
        expect(fast.session('cycle')).toMatchObject({ status: 'FAILED', qr: null });
        expect(fast.session('cycle')?.failureReason).toContain('6 QR codes expired');

        // After FAILED the QR is gone (422), start is a no-op, restart gives a new window.
        const qr = await fetch(`${fast.url}/api/cycle/auth/qr?format=raw`);
        expect(qr.status).toBe(422);
        expect(await qr.json()).toMatchObject({ status: 'FAILED', expected: ['SCAN_QR_CODE'] });
        const start = await fetch(`${fast.url}/api/sessions/cycle/start`, { method: 'POST' });
        expect(await start.json()).toMatchObject({ status: 'FAILED' });
        await fetch(`${fast.url}/api/sessions/cycle/restart`, { method: 'POST' });
        const again = await fast.waitForStatus('cycle', 'SCAN_QR_CODE');
        expect(again.qr?.index).toBe(1);
      } finally {
        await fast.close();
      }
    });

    it('gives each QR 60 s, then 20 s, scaled by the time scale', async () => {
      const name = fresh();
      await create(name);
      const state = await sim.waitForStatus(name, 'SCAN_QR_CODE');
      expect(state.qr).toMatchObject({ index: 1, of: 6 });
      const qr = state.qr as NonNullable<typeof state.qr>;
      expect(qr.expiresAt - qr.issuedAt).toBe(60_000 * SCALE);
    });
  });

  describe('WAHA API', () => {
    it('checks the API key (header or query; plain or sha512:) but not on /ping', async () => {
      expect((await api('GET', '/api/sessions', undefined, { 'x-api-key': 'nope' })).status).toBe(401);
      expect((await api('GET', '/api/sessions', undefined, { 'x-api-key': 'nope' })).json).toEqual({
        message: 'Unauthorized',
        statusCode: 401,
      });
      expect((await fetch(`${sim.url}/api/sessions?x-api-key=${KEY}`)).status).toBe(200);
      expect((await fetch(`${sim.url}/ping`)).status).toBe(200);

      const hashed = await startWahaSimulator({
        apiKey: `sha512:${createHash('sha512').update('s3cret').digest('hex')}`,
      });
      try {
        expect(
          (await fetch(`${hashed.url}/api/sessions`, { headers: { 'x-api-key': 's3cret' } })).status,
        ).toBe(200);
        expect(
          (await fetch(`${hashed.url}/api/sessions`, { headers: { 'x-api-key': 'other' } })).status,
        ).toBe(401);
      } finally {
        await hashed.close();
      }
    });

    it("enforces WAHA's session name rules and generates a name when none is given", async () => {
      const bad = await api('POST', '/api/sessions', { name: 'no spaces!' });
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ error: 'Bad Request', statusCode: 400 });
      expect((await api('POST', '/api/sessions', { name: 'x'.repeat(55) })).status).toBe(400);
      const unnamed = await api('POST', '/api/sessions', {});
      expect(unnamed.json?.name).toMatch(/^session_[0-9a-z]{26}$/);
      expect(unnamed.json?.status).toBe('STOPPED'); // WAHA's code: start defaults to false
    });

    it('answers 422 on an existing name and 404 on a missing session', async () => {
      const name = fresh();
      await api('POST', '/api/sessions', { name });
      const again = await api('POST', '/api/sessions', { name });
      expect(again.status).toBe(422);
      expect(again.json).toEqual({
        message: `Session '${name}' already exists. Use PUT to update it.`,
        error: 'Unprocessable Entity',
        statusCode: 422,
      });
      for (const [method, path] of [
        ['GET', '/api/sessions/missing'],
        ['POST', '/api/sessions/missing/start'],
        ['GET', '/api/missing/auth/qr?format=raw'],
        ['GET', '/api/missing/chats/overview'],
      ] as const) {
        const res = await api(method, path);
        expect([path, res.status, res.json?.error]).toEqual([path, 404, 'Not Found']);
      }
      expect(
        (await api('POST', '/api/sendText', { session: 'missing', chatId: CHAT, text: 'x' })).status,
      ).toBe(404);
    });

    it('answers 422 {error, session, status, expected} outside WORKING, also when STOPPED', async () => {
      const name = fresh();
      await api('POST', '/api/sessions', { name, start: false });
      const send = await api('POST', '/api/sendText', { session: name, chatId: CHAT, text: 'x' });
      expect(send.status).toBe(422);
      expect(send.json).toEqual({
        error: 'Session status is not as expected. Try again later or restart the session',
        session: name,
        status: 'STOPPED',
        expected: ['WORKING'],
      });
      expect((await api('GET', `/api/${name}/chats`)).json).toMatchObject({ status: 'STOPPED' });
      expect(
        (await api('POST', `/api/${name}/auth/request-code`, { phoneNumber: '4915112345678' })).json,
      ).toMatchObject({ status: 'STOPPED', expected: ['SCAN_QR_CODE'] });
    });

    it('waits for WORKING like WAHA does before refusing a send', async () => {
      const name = fresh();
      await create(name);
      const state = await sim.waitForStatus(name, 'SCAN_QR_CODE');
      expect(state.status).toBe('SCAN_QR_CODE');
      sim.link(name);
      await sim.waitForStatus(name, 'WORKING');
      await api('POST', `/api/sessions/${name}/restart`);
      // Sent while STARTING: WAHA waits (scaled 5 s) and the session reaches WORKING in time.
      const send = await api('POST', '/api/sendText', { session: name, chatId: CHAT, text: 'after restart' });
      expect(send.status).toBe(201);
    });

    it('answers the QR as WAHA does for each format and Accept header', async () => {
      const name = fresh();
      await create(name);
      const { qr } = await sim.waitForStatus(name, 'SCAN_QR_CODE');
      const raw = await api('GET', `/api/${name}/auth/qr?format=raw`);
      expect(raw.json).toEqual({ value: qr?.value });
      const json = await api('GET', `/api/${name}/auth/qr?format=image`, undefined, {
        accept: 'application/json',
      });
      expect(json.json?.mimetype).toBe('image/png');
      // Trap: anything but exactly application/json gets the PNG itself.
      const png = await api('GET', `/api/${name}/auth/qr?format=image`, undefined, {
        accept: 'application/json, text/plain, */*',
      });
      expect(png.type).toBe('image/png');
      expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(Buffer.from(json.json?.data as string, 'base64').equals(png.bytes)).toBe(true);
      expect((await api('GET', `/api/${name}/auth/qr`)).type).toBe('image/png'); // format defaults to image
      expect((await api('GET', `/api/${name}/auth/qr?format=svg`)).status).toBe(400);
    });

    it('unknown routes answer as NestJS does', async () => {
      const res = await api('GET', '/api/nothing/here/at/all');
      expect(res.status).toBe(404);
      expect(res.json).toEqual({
        message: 'Cannot GET /api/nothing/here/at/all',
        error: 'Not Found',
        statusCode: 404,
      });
    });
  });

  describe('webhooks', () => {
    it('sends the WAHA envelope with signature headers, metadata, me and custom headers', async () => {
      const name = fresh();
      await create(
        name,
        { hmac: { key: 'hmac-secret' }, customHeaders: [{ name: 'X-Tenant', value: 't-1' }] },
        { tenant: 't-1' },
      );
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      const linkedAt = Date.now();
      sim.link(name, { id: '4917000000002@c.us', pushName: 'Shop' });
      const [working] = await hooks
        .waitFor(() => hooks.events(name, 'session.status').some((h) => h.body.payload.status === 'WORKING'))
        .then(() => hooks.events(name, 'session.status').filter((h) => h.body.payload.status === 'WORKING'));
      const hook = working!;
      expect(hook.body).toMatchObject({
        event: 'session.status',
        session: name,
        metadata: { tenant: 't-1' },
        me: { id: '4917000000002@c.us', pushName: 'Shop' },
        payload: { name, status: 'WORKING' },
        engine: 'NOWEB',
        environment: { version: '2026.7.1', engine: 'NOWEB' },
      });
      expect(hook.body.id).toMatch(/^evt_[0-9a-hjkmnp-tv-z]{26}$/);
      // WAHA's timestamp is in milliseconds, taken when the status changed: between the two reads.
      expect(hook.body.timestamp).toBeGreaterThanOrEqual(linkedAt);
      expect(hook.body.timestamp).toBeLessThanOrEqual(Date.now());
      expect(hook.headers['x-webhook-hmac']).toBe(
        createHmac('sha512', 'hmac-secret').update(hook.rawBody).digest('hex'),
      );
      expect(hook.headers['x-webhook-hmac-algorithm']).toBe('sha512');
      expect(hook.headers['x-webhook-request-id']).toMatch(/^[0-9A-Z]{26}$/);
      expect(Number(hook.headers['x-webhook-timestamp'])).toBeGreaterThan(0);
      expect(hook.headers['x-tenant']).toBe('t-1');
      const [starting] = hooks.events(name, 'session.status');
      expect(starting?.body.me).toBeUndefined(); // not linked yet
    });

    it('signs nothing without an hmac key and sends only subscribed events', async () => {
      const name = fresh();
      await create(name, { events: ['message'] });
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      sim.link(name);
      await api('POST', '/api/sendText', { session: name, chatId: CHAT, text: 'out' });
      sim.inbound(name, { from: CHAT, body: 'in' });
      await hooks.waitFor(() => hooks.events(name, 'message').length === 1);
      const mine = hooks.received.filter((h) => h.body.session === name);
      expect(mine.map((h) => h.body.event)).toEqual(['message']);
      expect(mine[0]?.headers['x-webhook-hmac']).toBeUndefined();
      expect(mine[0]?.body.payload).toMatchObject({ body: 'in', fromMe: false, from: CHAT, source: 'app' });
    });

    it('emits message.any for sends, message + message.any for inbound, message.ack for acks', async () => {
      const name = fresh();
      await create(name);
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      sim.link(name, { id: '4917000000003@c.us', pushName: 'Me' });
      const sent = await api('POST', '/api/sendText', { session: name, chatId: CHAT, text: 'out' });
      const key = sent.json?.key as { id: string };
      const id = `true_${CHAT}_${key.id}`;
      sim.inbound(name, { from: CHAT, body: 'in' });
      sim.ack(name, id, 'READ');
      await hooks.waitFor(() => hooks.events(name, 'message.ack').length === 1);
      const any = hooks.events(name, 'message.any').map((h) => [h.body.payload.body, h.body.payload.fromMe]);
      expect(any).toEqual([
        ['out', true],
        ['in', false],
      ]);
      expect(hooks.events(name, 'message').map((h) => h.body.payload.body)).toEqual(['in']);
      expect(hooks.events(name, 'message.ack')[0]?.body.payload).toEqual({
        id,
        from: '4917000000003@c.us',
        to: CHAT,
        fromMe: true,
        ack: 3,
        ackName: 'READ',
      });
      const stored = await api('GET', `/api/${name}/chats/${CHAT}/messages?limit=10&filter.ack=READ`);
      expect((stored.json as unknown as { id: string }[]).map((m) => m.id)).toEqual([id]);
    });

    it('retries a failing receiver per the policy with the same X-Webhook-Request-Id', async () => {
      const name = fresh();
      let failuresLeft = 2;
      hooks.respondWith((hook) =>
        hook.body.session === name && hook.body.payload.status === 'STARTING' && failuresLeft-- > 0
          ? 503
          : 200,
      );
      await create(name, {
        events: ['session.status'],
        retries: { policy: 'linear', delaySeconds: 1, attempts: 5 },
      });
      const starting = () =>
        hooks.events(name, 'session.status').filter((h) => h.body.payload.status === 'STARTING');
      await hooks.waitFor(() => starting().some((h) => h.answered === 200));
      expect(starting().map((h) => h.answered)).toEqual([503, 503, 200]);
      expect(new Set(starting().map((h) => h.headers['x-webhook-request-id'])).size).toBe(1);
      expect(new Set(starting().map((h) => h.rawBody)).size).toBe(1);
      const delivered = () =>
        sim
          .webhookDeliveries()
          .find((d) => d.session === name && d.state === 'delivered' && d.attempts.length > 1);
      await eventually(() => delivered() !== undefined);
      const delivery = delivered();
      expect(delivery).toMatchObject({ state: 'delivered', event: 'session.status' });
      expect(delivery?.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    });

    it('gives up after the configured attempts', async () => {
      const name = fresh();
      hooks.respondWith((hook) => (hook.body.session === name ? 500 : 200));
      await create(name, {
        events: ['session.status'],
        retries: { policy: 'constant', delaySeconds: 1, attempts: 2 },
      });
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      const done = () => sim.webhookDeliveries().filter((d) => d.session === name && d.state === 'failed');
      await hooks.waitFor(() => hooks.events(name, 'session.status').length >= 4);
      await eventually(() => done().length >= 2);
      expect(done().map((d) => d.attempts.map((a) => a.status))).toEqual([
        [500, 500],
        [500, 500],
      ]);
      expect(hooks.events(name, 'session.status')).toHaveLength(4);
    });

    it('computes constant, linear and exponential delays', () => {
      const at = (policy: 'constant' | 'linear' | 'exponential') =>
        [1, 2, 3, 4].map((retry) => retryDelaySeconds({ policy, delaySeconds: 2, attempts: 5 }, retry));
      expect(at('constant')).toEqual([2, 2, 2, 2]);
      expect(at('linear')).toEqual([2, 4, 6, 8]);
      expect(at('exponential')).toEqual([2, 4, 8, 16]);
    });

    it('delivers the next webhooks twice when asked (same id, same body)', async () => {
      const name = fresh();
      await create(name, { events: ['message'] });
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      sim.link(name);
      sim.duplicateNextWebhooks(1);
      sim.inbound(name, { from: CHAT, body: 'twice' });
      sim.inbound(name, { from: CHAT, body: 'once' });
      await hooks.waitFor(() => hooks.events(name, 'message').length === 3);
      const twice = hooks.events(name, 'message').filter((h) => h.body.payload.body === 'twice');
      expect(twice).toHaveLength(2);
      expect(twice[0]?.rawBody).toBe(twice[1]?.rawBody);
      expect(twice[0]?.headers['x-webhook-request-id']).toBe(twice[1]?.headers['x-webhook-request-id']);
    });
  });

  describe('status machine', () => {
    it('stop → STOPPED; restart of a linked session → WORKING without a QR', async () => {
      const name = fresh();
      await create(name, { events: ['session.status'] });
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      sim.link(name);
      await api('POST', `/api/sessions/${name}/stop`);
      expect(sim.session(name)?.status).toBe('STOPPED');
      await api('POST', `/api/sessions/${name}/restart`);
      const state = await sim.waitForStatus(name, 'WORKING');
      expect(state.statuses.map((p) => p.status)).toEqual([
        'STOPPED',
        'STARTING',
        'SCAN_QR_CODE',
        'WORKING',
        'STOPPED',
        'STARTING',
        'WORKING',
      ]);
      // Webhooks arrive unordered, as from WAHA: count them rather than rely on their order.
      await hooks.waitFor(() => hooks.events(name, 'session.status').length === 6);
      const sent = hooks.events(name, 'session.status').map((h) => h.body.payload.status as string);
      expect(sent.sort()).toEqual(['SCAN_QR_CODE', 'STARTING', 'STARTING', 'STOPPED', 'WORKING', 'WORKING']);
    });

    it('logout unlinks; disconnect reconnects, or needs a new QR when logged out; fail carries a reason', async () => {
      const name = fresh();
      await create(name);
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      const me = sim.link(name).me;
      sim.disconnect(name);
      expect(sim.session(name)?.status).toBe('STARTING');
      expect((await sim.waitForStatus(name, 'WORKING')).me).toEqual(me);

      sim.disconnect(name, { loggedOut: true });
      expect((await sim.waitForStatus(name, 'SCAN_QR_CODE')).me).toBeNull();
      sim.link(name);
      await sim.waitForStatus(name, 'WORKING');

      const logout = await api('POST', `/api/sessions/${name}/logout`);
      expect(logout.json).toMatchObject({ status: 'STARTING' });
      expect((await sim.waitForStatus(name, 'SCAN_QR_CODE')).linked).toBe(false);

      expect(sim.fail(name, 'phone offline')).toMatchObject({
        status: 'FAILED',
        failureReason: 'phone offline',
      });
      expect(() => sim.link(name)).toThrow(/needs SCAN_QR_CODE/);
    });

    it('delete → 404 after, and delete is idempotent', async () => {
      const name = fresh();
      await create(name);
      expect((await api('DELETE', `/api/sessions/${name}`)).status).toBe(200);
      expect((await api('GET', `/api/sessions/${name}`)).status).toBe(404);
      expect((await api('DELETE', `/api/sessions/${name}`)).status).toBe(200);
      expect(sim.session(name)).toBeUndefined();
    });
  });

  describe('control API over HTTP', () => {
    async function control(method: string, path: string, body?: unknown) {
      const res = await fetch(`${sim.url}/__sim${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    }

    it('fails only the operation a fault names, and counts only its calls', async () => {
      expect(
        (await control('POST', '/faults', { status5xx: 503, count: 1, operation: 'POST /api/sessions' }))
          .status,
      ).toBe(200);
      try {
        // Other calls pass and do not use the fault up.
        expect((await api('GET', '/api/sessions')).status).toBe(200);
        const name = fresh();
        expect((await api('POST', '/api/sessions', { name, start: false })).status).toBe(503);
        expect(sim.session(name)).toBeUndefined();
        expect((await api('POST', '/api/sessions', { name, start: false })).status).toBe(201);
      } finally {
        await control('DELETE', '/faults');
      }
    });

    it('links, delivers, acks, inspects, disconnects and fails sessions', async () => {
      const name = fresh();
      await create(name);
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      const code = await api('POST', `/api/${name}/auth/request-code`, { phoneNumber: '4915112345678' });
      const state = await control('GET', `/sessions/${name}`);
      expect(state.json).toMatchObject({ status: 'SCAN_QR_CODE', pairingCode: { code: code.json?.code } });
      expect((state.json.qr as { value: string }).value).toMatch(/^2@/);

      const linked = await control('POST', `/sessions/${name}/link`, {
        me: { id: '4917000000004@c.us', pushName: 'P' },
      });
      expect(linked.json).toMatchObject({
        status: 'WORKING',
        me: { id: '4917000000004@c.us', pushName: 'P' },
      });
      expect((await control('POST', `/sessions/${name}/link`)).status).toBe(409);

      const inbound = await control('POST', `/sessions/${name}/inbound`, { from: CHAT, body: 'hello' });
      expect(inbound.status).toBe(201);
      expect(inbound.json.id).toMatch(new RegExp(`^false_${CHAT}_`));
      const ack = await control('POST', `/sessions/${name}/messages/${inbound.json.id as string}/ack`, {
        ack: 3,
      });
      expect(ack.json).toMatchObject({ ack: 3, ackName: 'READ' });
      expect((await control('POST', `/sessions/${name}/messages/nope/ack`, { ack: 3 })).status).toBe(404);
      expect((await control('POST', `/sessions/${name}/inbound`, { from: 'bad', body: 'x' })).status).toBe(
        400,
      );

      expect((await control('POST', `/sessions/${name}/disconnect`)).json).toMatchObject({
        status: 'STARTING',
      });
      await sim.waitForStatus(name, 'WORKING');
      expect((await control('POST', `/sessions/${name}/fail`, { reason: 'boom' })).json).toMatchObject({
        status: 'FAILED',
        failureReason: 'boom',
      });
      expect((await control('GET', '/sessions/nobody')).status).toBe(404);
    });

    it('injects faults for a count of calls, duplicates webhooks, sets numbers, lists requests and resets', async () => {
      expect((await control('POST', '/faults', { status5xx: 503, count: 2 })).status).toBe(200);
      expect((await api('GET', '/api/server/version')).status).toBe(503);
      expect((await api('GET', '/ping')).status).toBe(503);
      expect((await api('GET', '/api/server/version')).status).toBe(200);
      await control('POST', '/faults', { status5xx: 500 });
      expect((await api('GET', '/api/server/version')).status).toBe(500);
      await control('DELETE', '/faults');
      expect((await api('GET', '/api/server/version')).status).toBe(200);
      expect((await control('POST', '/faults', { status5xx: 404 })).status).toBe(400);

      expect((await control('POST', '/webhooks/duplicate-next', { count: 2 })).status).toBe(200);
      expect((await control('POST', '/numbers/4915100000001', { exists: false })).status).toBe(200);
      const requests = await fetch(`${sim.url}/__sim/requests`).then((r) => r.json() as Promise<unknown[]>);
      expect(requests.length).toBeGreaterThan(0);
      expect(Array.isArray(await fetch(`${sim.url}/__sim/webhooks`).then((r) => r.json()))).toBe(true);

      expect((await control('POST', '/reset')).json).toEqual({ ok: true });
      expect((await api('GET', '/api/sessions?all=true')).json).toEqual([]);
      expect(sim.requests().map((r) => r.path)).toEqual(['/api/sessions']);
    });
  });
});
