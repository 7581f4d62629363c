/** The simulator's WAHA API: QR rotation on WAHA's clock, keys, names, errors and QR formats. */
import { createHash } from 'node:crypto';

import { beforeAll, describe, expect, it } from '@jest/globals';

import { WAHA_CLOCK } from '../tools/waha-sim/sim-qr-clock.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { CHAT, KEY, SCALE, useSimulator } from './support/simulator-harness.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

describe('WAHA simulator: API', () => {
  const harness = useSimulator();
  const { api, create, fresh, webhook } = harness;
  let sim: WahaSimulator;
  let hooks: WebhookReceiver;
  beforeAll(() => {
    ({ sim, hooks } = harness);
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
});
