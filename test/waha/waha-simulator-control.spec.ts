/** The simulator's session status machine, and its control API over HTTP. */
import { beforeAll, describe, expect, it } from '@jest/globals';

import type { WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { CHAT, useSimulator } from './support/simulator-harness.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

describe('WAHA simulator: status machine and control API', () => {
  const harness = useSimulator();
  const { api, create, fresh } = harness;
  let sim: WahaSimulator;
  let hooks: WebhookReceiver;
  beforeAll(() => {
    ({ sim, hooks } = harness);
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
