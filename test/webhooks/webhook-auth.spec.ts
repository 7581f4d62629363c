import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { probeKey } from '../../src/whatsapp-sessions/webhook-reachability.js';
import { METADATA_TENANT_ID } from '../../src/whatsapp-sessions/waha-session-request.js';
import { type TestApp } from '../support/app.js';
import { type LinkedSession } from '../support/linked-session.js';
import {
  GLOBAL_KEY,
  MAX_BODY,
  startWebhookFixture,
  type WebhookFixture,
  webhookPosts,
} from './support/webhook-posts.js';

describe('POST /webhooks/waha: who may post, and what', () => {
  let f: WebhookFixture;
  let t: TestApp;
  let session: LinkedSession;
  let key: string;
  const { inboundEvent, post, signed, counts } = webhookPosts(() => f);

  beforeAll(async () => {
    f = await startWebhookFixture('hooks-co');
    ({ t, session, key } = f);
  });
  afterAll(async () => {
    await f?.close();
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
