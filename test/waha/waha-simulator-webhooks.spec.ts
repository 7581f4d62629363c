/** The simulator's webhooks as WAHA sends them: envelope, signature, events, retries, duplicates. */
import { createHmac } from 'node:crypto';

import { beforeAll, describe, expect, it } from '@jest/globals';

import type { WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { retryDelaySeconds } from '../tools/waha-sim/webhook-dispatcher.js';
import { eventually } from '../support/eventually.js';
import { CHAT, useSimulator } from './support/simulator-harness.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

describe('WAHA simulator: webhooks', () => {
  const harness = useSimulator();
  const { api, create, fresh } = harness;
  let sim: WahaSimulator;
  let hooks: WebhookReceiver;
  beforeAll(() => {
    ({ sim, hooks } = harness);
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
      await eventually(() => expect(delivered()).toBeDefined());
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
      await eventually(() => expect(done().length).toBeGreaterThanOrEqual(2));
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
});
