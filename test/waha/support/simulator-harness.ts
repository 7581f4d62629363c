/**
 * What every WAHA simulator spec starts from: one simulator (NOWEB, with an API key, at a quarter
 * of WAHA's speed) and one webhook receiver per file, and WAHA's API called over real HTTP.
 */
import { afterAll, beforeAll, beforeEach, expect } from '@jest/globals';

import type { WebhookConfig } from '../../../src/waha/waha.types.js';
import { startWahaSimulator, type WahaSimulator } from '../../tools/waha-sim/waha-simulator.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

export const KEY = 'sim-spec-key';
export const CHAT = '4915112345678@c.us';
/** The account every `linked` session is linked to. */
export const ME = { id: '4917000000009@c.us', pushName: 'Shop' };
const ALL_EVENTS = ['session.status', 'message', 'message.any', 'message.ack'];

export const SCALE = 0.25;

/** Registers the file's beforeAll/afterAll/beforeEach; `sim` and `hooks` are there once beforeAll ran. */
export function useSimulator() {
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

  /** A fresh session, linked to a phone (WORKING), with the given webhook. */
  async function linked(name: string, hook: Partial<WebhookConfig> = {}, me = ME) {
    await create(name, hook);
    await sim.waitForStatus(name, 'SCAN_QR_CODE');
    sim.link(name, me);
    return me;
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

  return {
    get sim() {
      return sim;
    },
    get hooks() {
      return hooks;
    },
    fresh,
    api,
    webhook,
    create,
    linked,
  };
}
