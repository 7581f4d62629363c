import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { DomainError } from '../../src/common/domain-error.js';
import { chatIdOf, sentMessageId, WahaClient } from '../support/waha-client/waha.client.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';

const API_KEY = 'client-spec-key';
const CHAT = '4915112345678@c.us';
// 0.05: STARTING 100 ms, the QR window 8 s — ample for steps taken while SCAN_QR_CODE.
// WAHA's clock at 1/4 speed: the first QR lives 15 s and the window 40 s, so a busy machine does
// not see a QR rotate, or the session fail, between two calls of one test.
const TIME_SCALE = 0.25;

async function caught(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, got success');
}

describe('WahaClient against the WAHA simulator', () => {
  let sim: WahaSimulator;
  let waha: WahaClient;
  let n = 0;
  const fresh = () => `client_${++n}`;

  beforeAll(async () => {
    sim = await startWahaSimulator({ apiKey: API_KEY, timeScale: TIME_SCALE, engine: 'WEBJS' });
    waha = new WahaClient({
      baseUrl: sim.url,
      apiKey: API_KEY,
      // A bound on a hang only: a busy machine renders a PNG QR slowly.
      timeoutMs: 30_000,
      retries: 2,
      retryDelayMs: 5,
    });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.clearFaults());

  async function scanning(name = fresh()) {
    await waha.createSession({ name });
    await sim.waitForStatus(name, 'SCAN_QR_CODE');
    return name;
  }
  async function working(name = fresh()) {
    await scanning(name);
    sim.link(name, { id: '4917000000001@c.us', pushName: 'Shop' });
    return name;
  }

  describe('server', () => {
    it('pings without an API key, and reads version and status', async () => {
      const anonymous = new WahaClient({ baseUrl: sim.url });
      await expect(anonymous.ping()).resolves.toEqual({ message: 'pong' });
      const version = await waha.serverVersion();
      expect(version).toMatchObject({ version: '2026.7.1', engine: 'WEBJS', tier: 'PLUS' });
      const status = await waha.serverStatus();
      expect(status.worker.id).toBe('waha-sim');
      expect(status.uptime).toBeGreaterThanOrEqual(0);
      expect(status.startTimestamp).toBeLessThanOrEqual(Date.now());
    });
  });

  describe('sessions', () => {
    it('creates with start: true (WAHA would default to false) and reaches SCAN_QR_CODE', async () => {
      const name = fresh();
      const created = await waha.createSession({ name, config: { metadata: { tenant: 't1' } } });
      expect(created).toEqual({ name, status: 'STARTING', config: { metadata: { tenant: 't1' } } });
      const sent = sim.requests().find((r) => r.operation === 'POST /api/sessions' && r.status === 201);
      expect(sent?.requestBody).toEqual({ name, start: true, config: { metadata: { tenant: 't1' } } });
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      expect((await waha.getSession(name)).status).toBe('SCAN_QR_CODE');
    });

    it('creates a stopped session when asked not to start', async () => {
      const name = fresh();
      await expect(waha.createSession({ name, start: false })).resolves.toMatchObject({ status: 'STOPPED' });
      expect((await waha.listSessions()).map((s) => s.name)).toContain(name);
      expect((await waha.listSessions({ all: false })).map((s) => s.name)).not.toContain(name);
    });

    it('updates the config', async () => {
      const name = fresh();
      await waha.createSession({ name, start: false });
      const updated = await waha.updateSession(name, { metadata: { tenant: 't2' } });
      expect(updated.config).toEqual({ metadata: { tenant: 't2' } });
      expect((await waha.getSession(name)).config).toEqual({ metadata: { tenant: 't2' } });
    });

    it('stops, starts, restarts, logs out and deletes', async () => {
      const name = await working();
      expect(await waha.getMe(name)).toMatchObject({ id: '4917000000001@c.us', pushName: 'Shop' });

      await expect(waha.stopSession(name)).resolves.toMatchObject({ status: 'STOPPED' });
      await expect(waha.startSession(name)).resolves.toMatchObject({ status: 'STARTING' });
      await sim.waitForStatus(name, 'WORKING'); // still linked: no QR needed
      await expect(waha.restartSession(name)).resolves.toMatchObject({ status: 'STARTING' });
      await sim.waitForStatus(name, 'WORKING');

      await expect(waha.logoutSession(name)).resolves.toMatchObject({ status: 'STARTING' });
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      expect(await waha.getMe(name)).toBeNull();

      await waha.deleteSession(name);
      const error = await caught(waha.getSession(name));
      expect(error.code).toBe('NOT_FOUND');
      await expect(waha.deleteSession(name)).resolves.toBeUndefined(); // WAHA: idempotent
    });
  });

  describe('pairing', () => {
    it('returns the current QR as raw value, base64 JSON and PNG', async () => {
      const name = await scanning();
      const value = await waha.getQrValue(name);
      expect(value).toBe(sim.session(name)?.qr?.value);
      expect(value).toMatch(/^2@/);

      const png = await waha.getQrPng(name);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const base64 = await waha.getQrBase64(name);
      expect(base64.mimetype).toBe('image/png');
      expect(Buffer.from(base64.data, 'base64').subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    });

    it('requests a pairing code in SCAN_QR_CODE only', async () => {
      const name = await scanning();
      const code = await waha.requestPairingCode(name, '4915112345678');
      expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
      expect(sim.session(name)?.pairingCode).toMatchObject({ code, phoneNumber: '4915112345678' });

      sim.link(name);
      const error = await caught(waha.requestPairingCode(name, '4915112345678'));
      expect(error.code).toBe('FAILED_PRECONDITION');
      expect(error.details).toMatchObject({ status: 'WORKING', expected: ['SCAN_QR_CODE'], wahaStatus: 422 });
    });
  });

  describe('chatting', () => {
    it('sends a text and reads it back from chats, overview and messages', async () => {
      const name = await working();
      const sent = await waha.sendText({ session: name, chatId: CHAT, text: 'Hello' });
      expect(sent.id).toMatch(new RegExp(`^true_${CHAT}_3EB0[0-9A-F]{16}$`));
      sim.inbound(name, { from: CHAT, body: 'Hi back', pushName: 'Customer' });
      sim.inbound(name, { from: '4915199999999@c.us', body: 'Other chat' });

      const chats = await waha.listChats(name);
      expect(chats.map(chatIdOf)).toEqual(['4915199999999@c.us', CHAT]);

      const overview = await waha.chatsOverview(name);
      expect(overview.map((c) => c.id)).toEqual(['4915199999999@c.us', CHAT]);
      expect(overview[1]).toMatchObject({
        name: 'Customer',
        lastMessage: { body: 'Hi back', fromMe: false },
      });
      expect((await waha.chatsOverview(name, { ids: [CHAT] })).map((c) => c.id)).toEqual([CHAT]);

      const messages = await waha.chatMessages(name, CHAT);
      expect(messages.map((m) => [m.body, m.fromMe])).toEqual([
        ['Hi back', false],
        ['Hello', true],
      ]);
      expect(messages[1]?.id).toBe(sent.id);
      expect((await waha.chatMessages(name, CHAT, { fromMe: true })).map((m) => m.body)).toEqual(['Hello']);
      expect(
        (await waha.chatMessages(name, CHAT, { sortOrder: 'asc', limit: 1 })).map((m) => m.body),
      ).toEqual(['Hello']);
      const query = sim
        .requests()
        .filter((r) => r.operation?.endsWith('/messages'))
        .at(-1)?.query;
      expect(query).toMatchObject({ limit: ['1'], sortOrder: ['asc'], downloadMedia: ['false'] });
    });

    it('marks a chat seen and shows typing', async () => {
      const name = await working();
      sim.inbound(name, { from: CHAT, body: 'unread' });
      expect(sim.session(name)?.chats[0]?.unreadCount).toBe(1);
      await waha.sendSeen({ session: name, chatId: CHAT });
      expect(sim.session(name)?.chats[0]?.unreadCount).toBe(0);

      await waha.startTyping({ session: name, chatId: CHAT });
      expect(sim.session(name)?.typing).toEqual([CHAT]);
      await waha.stopTyping({ session: name, chatId: CHAT });
      expect(sim.session(name)?.typing).toEqual([]);
    });

    it('checks whether a number is on WhatsApp', async () => {
      const name = await working();
      sim.setNumberExists('4915100000000', false);
      await expect(waha.checkNumberExists(name, '4915112345678')).resolves.toEqual({
        numberExists: true,
        chatId: '4915112345678@c.us',
      });
      await expect(waha.checkNumberExists(name, '4915100000000')).resolves.toEqual({ numberExists: false });
    });
  });

  describe.each(['WEBJS', 'NOWEB', 'GOWS'] as const)('sendText on %s', (engine) => {
    let engineSim: WahaSimulator;
    beforeAll(async () => {
      engineSim = await startWahaSimulator({ engine, timeScale: TIME_SCALE });
    });
    afterAll(() => engineSim.close());

    it('takes the message id from the engine-specific answer', async () => {
      const client = new WahaClient({ baseUrl: engineSim.url });
      await client.createSession({ name: 'engine' });
      await engineSim.waitForStatus('engine', 'SCAN_QR_CODE');
      engineSim.link('engine');
      const { id, raw } = await client.sendText({ session: 'engine', chatId: CHAT, text: 'Hi' });
      const [stored] = await client.chatMessages('engine', CHAT);
      expect(id).toBe(stored?.id);
      expect(id.startsWith(`true_${CHAT}_`)).toBe(true);
      const shape = raw as Record<string, unknown>;
      if (engine === 'WEBJS') expect(shape.id).toMatchObject({ _serialized: id });
      if (engine === 'NOWEB') expect(shape.key).toMatchObject({ remoteJid: '4915112345678@s.whatsapp.net' });
      if (engine === 'GOWS') expect(shape.id).toBe(id);
    });
  });

  describe('errors', () => {
    it('maps a missing session to NOT_FOUND with WAHA status and message', async () => {
      const error = await caught(waha.getSession('nobody'));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.details).toMatchObject({
        wahaStatus: 404,
        wahaError: 'Session not found',
        session: 'nobody',
      });
    });

    it('maps a wrong status to FAILED_PRECONDITION carrying status and expected', async () => {
      const name = await scanning();
      const error = await caught(waha.sendText({ session: name, chatId: CHAT, text: 'too early' }));
      expect(error.code).toBe('FAILED_PRECONDITION');
      expect(error.details).toMatchObject({
        wahaStatus: 422,
        status: 'SCAN_QR_CODE',
        expected: ['WORKING'],
        wahaError: 'Session status is not as expected. Try again later or restart the session',
      });
      const chats = await caught(waha.chatsOverview(name));
      expect(chats.details).toMatchObject({ status: 'SCAN_QR_CODE', expected: ['WORKING'] });
    });

    it('maps creating an existing session to FAILED_PRECONDITION with WAHA message', async () => {
      const name = fresh();
      await waha.createSession({ name, start: false });
      const error = await caught(waha.createSession({ name }));
      expect(error.code).toBe('FAILED_PRECONDITION');
      expect(error.details).toMatchObject({
        wahaStatus: 422,
        wahaError: `Session '${name}' already exists. Use PUT to update it.`,
      });
      expect(error.details?.status).toBeUndefined();
    });

    it('maps a bad API key to UPSTREAM_REJECTED', async () => {
      const wrong = new WahaClient({ baseUrl: sim.url, apiKey: 'wrong' });
      const error = await caught(wrong.listSessions());
      expect(error.code).toBe('UPSTREAM_REJECTED');
      expect(error.details).toMatchObject({ wahaStatus: 401, wahaError: 'Unauthorized' });
    });

    it('maps a refused connection to UPSTREAM_UNAVAILABLE', async () => {
      const gone = await startWahaSimulator();
      const url = gone.url;
      await gone.close();
      const error = await caught(new WahaClient({ baseUrl: url, retries: 0 }).serverVersion());
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.details).toMatchObject({ networkError: 'ECONNREFUSED' });
      expect(error.details?.wahaStatus).toBeUndefined();
    });

    it('maps a timeout to UPSTREAM_UNAVAILABLE', async () => {
      sim.setFaults({ slowMs: 1_000 });
      const impatient = new WahaClient({ baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 50, retries: 0 });
      const error = await caught(impatient.listSessions());
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.details).toMatchObject({ networkError: 'ETIMEDOUT' });
      expect(error.message).toContain('timed out');
    });

    it('maps a 5xx to UPSTREAM_UNAVAILABLE', async () => {
      sim.setFaults({ status5xx: 503 });
      const error = await caught(waha.serverStatus());
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.details).toMatchObject({ wahaStatus: 503 });
    });

    it('retries a safe call through a passing 5xx, but never a send', async () => {
      const name = await working();
      sim.setFaults({ status5xx: 502, count: 2 });
      const before = sim.requests().length;
      await expect(waha.getSession(name)).resolves.toMatchObject({ status: 'WORKING' });
      expect(
        sim
          .requests()
          .slice(before)
          .map((r) => r.status),
      ).toEqual([502, 502, 200]);

      sim.setFaults({ status5xx: 503, count: 1 });
      const beforeSend = sim.requests().length;
      const error = await caught(waha.sendText({ session: name, chatId: CHAT, text: 'once' }));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(
        sim
          .requests()
          .slice(beforeSend)
          .map((r) => r.status),
      ).toEqual([503]);
      expect(sim.session(name)?.chats).toEqual([]);
    });

    it('rejects bad input before it reaches WAHA', async () => {
      const before = sim.requests().length;
      const cases: [Promise<unknown>, string][] = [
        [waha.createSession({ name: 'has space' }), 'name'],
        [waha.createSession({ name: 'x'.repeat(55) }), 'name'],
        [waha.getSession('../etc'), 'session'],
        [waha.requestPairingCode('ok', '+4915112345678'), 'phoneNumber'],
        [waha.requestPairingCode('ok', '49 151 1234'), 'phoneNumber'],
        [waha.checkNumberExists('ok', '0151-123'), 'phone'],
        [waha.sendText({ session: 'ok', chatId: '4915112345678', text: 'x' }), 'chatId'],
        [waha.sendText({ session: 'ok', chatId: '4915112345678@s.whatsapp.net', text: 'x' }), 'chatId'],
        [waha.sendText({ session: 'ok', chatId: CHAT, text: '  ' }), 'text'],
        [waha.sendSeen({ session: 'ok', chatId: 'abc@g.us' }), 'chatId'],
        [waha.chatMessages('ok', CHAT, { limit: 0 }), 'limit'],
      ];
      for (const [promise, field] of cases) {
        const error = await caught(promise);
        expect([error.code, error.field]).toEqual(['BAD_USER_INPUT', field]);
      }
      expect(sim.requests().length).toBe(before);
    });

    it('accepts the three chat id forms', async () => {
      const name = await working();
      for (const chatId of ['4915112345678@c.us', '120363025246125486@g.us', '187743475368085@lid']) {
        await expect(waha.sendText({ session: name, chatId, text: 'ok' })).resolves.toMatchObject({
          id: expect.stringContaining(`true_${chatId}_`),
        });
      }
    });
  });

  it('reads the message id from every engine shape', () => {
    expect(
      sentMessageId({ id: { fromMe: true, remote: CHAT, id: 'A', _serialized: `true_${CHAT}_A` } }),
    ).toBe(`true_${CHAT}_A`);
    expect(sentMessageId({ key: { remoteJid: '4915112345678@s.whatsapp.net', fromMe: true, id: 'B' } })).toBe(
      `true_${CHAT}_B`,
    );
    expect(() => sentMessageId({} as never)).toThrow(DomainError);
  });
});
