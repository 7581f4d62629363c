import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { sql } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { eventually } from '../support/eventually.js';
import { inboundMessage, type LinkedSessionFixture, startLinkedSession } from '../support/linked-session.js';
import { startReceiver, type Receiver } from './receiver.js';
import {
  CREATE_ENDPOINT,
  DELETE_ENDPOINT,
  DELIVERIES,
  type DeliveryView,
  type EndpointView,
  LIST_ENDPOINTS,
  REPLAY_DELIVERY,
  REPLAY_ENDPOINT,
  ROTATE_SECRET,
} from './webhook-fragments.js';
import { inSecondOf } from '../support/waha-event.js';

const MAX_ATTEMPTS = 4;
/** A message's id in the public API, as webhook bodies carry it. */
const MESSAGE_ID = /^wm_[0-9a-z]{26}$/;
const DISABLE_AFTER = 6;

/**
 * Deliveries end to end: a message arrives through WAHA's signed webhook, the service writes
 * the delivery with it and POSTs it to a real HTTP endpoint on 127.0.0.1 (allowed for the test),
 * signed as Standard Webhooks says, verified with the `standardwebhooks` package a receiver uses.
 */
describe('tenant webhook deliveries', () => {
  let f: LinkedSessionFixture;
  let receiver: Receiver;
  let token: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    f = await startLinkedSession({
      tenant: 'hooked-co',
      env: {
        TENANT_WEBHOOKS_DISPATCH: 'true',
        TENANT_WEBHOOKS_ALLOWED_PRIVATE_TARGETS: '127.0.0.1',
        TENANT_WEBHOOKS_POLL_INTERVAL_MS: '20',
        TENANT_WEBHOOKS_BASE_BACKOFF_MS: '20',
        TENANT_WEBHOOKS_MAX_BACKOFF_MS: '100',
        TENANT_WEBHOOKS_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        TENANT_WEBHOOKS_DISABLE_AFTER_FAILURES: String(DISABLE_AFTER),
        TENANT_WEBHOOKS_TIMEOUT_MS: '3000',
      },
    });
    token = f.session.token;
  });
  afterEach(async () => {
    const list = await f.t.gql<{ webhookEndpoints: EndpointView[] }>(LIST_ENDPOINTS, {}, { token });
    for (const endpoint of list.data!.webhookEndpoints) {
      await f.t.gql(DELETE_ENDPOINT, { id: endpoint.id }, { token });
    }
  });
  afterAll(async () => {
    await f?.close();
    await receiver?.close();
  });

  async function register(path: string, events: string[] = ['MESSAGE_RECEIVED']) {
    const result = await f.t.gql<{ createWebhookEndpoint: { secret: string; endpoint: EndpointView } }>(
      CREATE_ENDPOINT,
      { input: { url: `${receiver.url}${path}`, events } },
      { token },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.createWebhookEndpoint;
  }

  async function deliveriesOf(endpointId: string): Promise<DeliveryView[]> {
    const page = await f.t.gql<{ webhookDeliveries: { edges: { node: DeliveryView }[] } }>(
      DELIVERIES,
      { endpointId },
      { token },
    );
    expect(page.errors).toBeUndefined();
    return page.data!.webhookDeliveries.edges.map((e) => e.node);
  }

  let n = 0;
  async function inbound(body = 'Hello') {
    const message = inboundMessage(
      f.session,
      `49170000${String(++n).padStart(5, '0')}@c.us`,
      body,
      Math.floor(Date.now() / 1000),
    );
    expect((await f.deliver('message', message)).status).toBe(200);
    return message;
  }

  /** WAHA's id of the message the API's `messageId` names (node(id), as a receiver fetches it). */
  async function wahaIdOf(messageId: string): Promise<string | null> {
    const found = await f.t.gql<{ node: { wahaId: string | null } | null }>(
      `query($id: ID!) { node(id: $id) { ... on WhatsappMessage { wahaId } } }`,
      { id: messageId },
      { token },
    );
    expect(found.errors).toBeUndefined();
    return found.data!.node?.wahaId ?? null;
  }

  const verify = (secret: string, request: { headers: Record<string, unknown>; body: string }) =>
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);

  it('POSTs an inbound message to the endpoint, signed so that standardwebhooks verifies it', async () => {
    const { secret, endpoint } = await register('/ok');
    const message = await inbound();
    await eventually(() => expect(receiver.received('/ok')).toHaveLength(1));
    const [request] = receiver.received('/ok');
    expect(request!.headers['content-type']).toBe('application/json');
    const event = verify(secret, request!) as { data: { messageId: string } };
    expect(event).toEqual({
      type: 'message.received',
      timestamp: expect.stringMatching(/Z$/),
      data: {
        sessionId: f.session.id,
        chatId: message.from,
        messageId: expect.stringMatching(MESSAGE_ID),
        wahaMessageId: message.id,
        messageType: 'TEXT',
        timestamp: expect.stringMatching(inSecondOf(message.timestamp)),
      },
    });
    expect(await wahaIdOf(event.data.messageId)).toBe(message.id);
    // Another secret does not verify it.
    expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, request!)).toThrow();
    await eventually(async () => {
      const [delivery] = await deliveriesOf(endpoint.id);
      expect(delivery).toMatchObject({
        webhookId: request!.headers['webhook-id'],
        eventType: 'MESSAGE_RECEIVED',
        status: 'DELIVERED',
        attemptCount: 1,
        lastStatusCode: 200,
        deliveredAt: expect.any(String),
      });
      expect(delivery!.attempts).toEqual([
        {
          attempt: 1,
          statusCode: 200,
          latencyMs: expect.any(Number),
          error: null,
          responseExcerpt: expect.any(String),
        },
      ]);
      // The answer was 400+ bytes: only an excerpt is kept.
      expect(Buffer.byteLength(delivery!.attempts[0]!.responseExcerpt!)).toBeLessThanOrEqual(256);
    });
  });

  it('retries a failing endpoint with the same webhook-id until it answers 2xx, then delivers once; replays send the same id', async () => {
    receiver.plan('/flaky', [500, 500, 200]);
    const { secret, endpoint } = await register('/flaky');
    await inbound();
    await eventually(async () => expect((await deliveriesOf(endpoint.id))[0]?.status).toBe('DELIVERED'));
    const requests = receiver.received('/flaky');
    expect(requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const request of requests) verify(secret, request);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery!.attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 200, null],
    ]);
    // Nothing more once delivered, though the deliverer keeps polling.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received('/flaky')).toHaveLength(3);

    const replayed = await f.t.gql(REPLAY_DELIVERY, { id: delivery!.id }, { token });
    expect(replayed.errors).toBeUndefined();
    await eventually(() => expect(receiver.received('/flaky')).toHaveLength(4));
    const since = new Date(Date.now() - 60_000).toISOString();
    const all = await f.t.gql<{ replayWebhookEndpoint: number }>(
      REPLAY_ENDPOINT,
      { endpointId: endpoint.id, since },
      { token },
    );
    expect(all.data).toEqual({ replayWebhookEndpoint: 1 });
    await eventually(() => expect(receiver.received('/flaky')).toHaveLength(5));
    const ids = receiver.received('/flaky').map((r) => r.headers['webhook-id']);
    expect(new Set(ids)).toEqual(new Set([delivery!.webhookId]));
    await eventually(async () => {
      const [after] = await deliveriesOf(endpoint.id);
      expect(after!.status).toBe('DELIVERED');
      expect(after!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200, 200, 200]);
    });
    // A replay of nothing since a time after every delivery queues nothing.
    const none = await f.t.gql(
      REPLAY_ENDPOINT,
      { endpointId: endpoint.id, since: new Date(Date.now() + 60_000).toISOString() },
      { token },
    );
    expect(none.data).toEqual({ replayWebhookEndpoint: 0 });
  });

  it('does not follow a redirect: a 3xx is a failed attempt, retried until it gives up', async () => {
    receiver.plan('/moved', [302]);
    const { endpoint } = await register('/moved');
    await inbound();
    await eventually(async () => expect((await deliveriesOf(endpoint.id))[0]?.status).toBe('FAILED'));
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual(Array(MAX_ATTEMPTS).fill(302));
    expect(receiver.received('/moved')).toHaveLength(MAX_ATTEMPTS);
    expect(receiver.received('/redirected')).toEqual([]);
  });

  it('signs with both secrets during a rotation overlap, so the old secret still verifies', async () => {
    const { secret: old, endpoint } = await register('/rotating');
    const rotated = await f.t.gql<{ rotateWebhookEndpointSecret: { secret: string } }>(
      ROTATE_SECRET,
      { id: endpoint.id },
      { token },
    );
    const fresh = rotated.data!.rotateWebhookEndpointSecret.secret;
    await inbound();
    await eventually(() => expect(receiver.received('/rotating')).toHaveLength(1));
    const [request] = receiver.received('/rotating');
    expect(String(request!.headers['webhook-signature']).split(' ')).toEqual([
      expect.stringMatching(/^v1,/),
      expect.stringMatching(/^v1,/),
    ]);
    expect(verify(old, request!)).toMatchObject({ type: 'message.received' });
    expect(verify(fresh, request!)).toMatchObject({ type: 'message.received' });
  });

  it('tells a status change: an ack that moves the message on is a message.status_changed', async () => {
    const { secret } = await register('/status', ['MESSAGE_STATUS_CHANGED']);
    const message = await inbound();
    const acked = await f.deliver('message.ack', {
      id: message.id,
      from: message.from,
      to: f.session.me,
      fromMe: false,
      ack: 3,
      ackName: 'READ',
    });
    expect(acked.status).toBe(200);
    await eventually(() => expect(receiver.received('/status')).toHaveLength(1));
    const event = verify(secret, receiver.received('/status')[0]!) as { data: { messageId: string } };
    expect(event).toEqual({
      type: 'message.status_changed',
      timestamp: expect.any(String),
      data: {
        sessionId: f.session.id,
        chatId: message.from,
        messageId: expect.stringMatching(MESSAGE_ID),
        wahaMessageId: message.id,
        status: 'READ',
        timestamp: expect.any(String),
      },
    });
    expect(await wahaIdOf(event.data.messageId)).toBe(message.id);
  });

  it("tells n8n's reports: our message SENT, another FAILED, each a message.status_changed", async () => {
    const { secret } = await register('/reports', ['MESSAGE_STATUS_CHANGED']);
    const send = async (text: string) => {
      const sent = await f.t.gql<{ sendWhatsappMessage: { id: string } }>(
        `mutation { sendWhatsappMessage(sessionId: "${f.session.id}", to: "+49 170 0000099", text: "${text}") { id } }`,
        {},
        { token },
      );
      expect(sent.errors).toBeUndefined();
      return sent.data!.sendWhatsappMessage.id;
    };
    const sentId = await send('Out');
    const failedId = await send('Lost');
    const wahaId = 'true_491700000099@c.us_3EB0REPORTSENT0001';
    // n8n reports by the message.send command's messageId (the row's own id); the API's id is taken too.
    const reported = await internalGql(
      f.t,
      `mutation($input: ReportMessageSentInput!) { reportMessageSent(input: $input) { id } }`,
      { input: { messageId: parseGlobalId(sentId)!.key, wahaMessageId: wahaId } },
    );
    expect(reported.errors).toBeUndefined();
    const failed = await internalGql(
      f.t,
      `mutation($input: ReportMessageFailedInput!) { reportMessageFailed(input: $input) { id } }`,
      { input: { messageId: failedId, reason: 'WAHA refused it' } },
    );
    expect(failed.errors).toBeUndefined();
    await eventually(() => expect(receiver.received('/reports')).toHaveLength(2));
    const events = receiver
      .received('/reports')
      .map((r) => (verify(secret, r) as { data: Record<string, unknown> }).data);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: sentId, wahaMessageId: wahaId, status: 'SENT' }),
        expect.objectContaining({ messageId: failedId, wahaMessageId: null, status: 'FAILED' }),
      ]),
    );
  });

  it('writes the delivery in the statement of the message: a message that fails to store writes none', async () => {
    const { endpoint } = await register('/atomic');
    // A rule of this test's own database that refuses one message body, so its statement fails.
    await sql(
      f.t,
      `alter table messages add constraint test_no_poison check (body is distinct from 'poison')`,
    );
    try {
      const poisoned = inboundMessage(
        f.session,
        '4917099999999@c.us',
        'poison',
        Math.floor(Date.now() / 1000),
      );
      expect((await f.deliver('message', poisoned)).status).toBeGreaterThanOrEqual(500);
    } finally {
      await sql(f.t, `alter table messages drop constraint test_no_poison`);
    }
    expect(
      await sql(f.t, `select id from tenant_webhook_deliveries where endpoint_id = ?`, [
        parseGlobalId(endpoint.id)!.key,
      ]),
    ).toEqual([]);
    await inbound('fine');
    expect(
      await sql(f.t, `select id from tenant_webhook_deliveries where endpoint_id = ?`, [
        parseGlobalId(endpoint.id)!.key,
      ]),
    ).toHaveLength(1);
  });

  it('disables an endpoint that keeps failing, with the reason its tenant sees, and sends it nothing more', async () => {
    receiver.plan('/down', [503]);
    const { endpoint } = await register('/down');
    await inbound('one');
    await inbound('two');
    await eventually(async () => {
      const list = await f.t.gql<{ webhookEndpoints: EndpointView[] }>(LIST_ENDPOINTS, {}, { token });
      const [down] = list.data!.webhookEndpoints;
      expect(down).toMatchObject({ id: endpoint.id, enabled: false });
      expect(down!.disabledReason).toBe(
        `Disabled after ${DISABLE_AFTER} failed deliveries in a row; the last: HTTP 503`,
      );
    });
    const count = receiver.received('/down').length;
    expect(count).toBeGreaterThanOrEqual(DISABLE_AFTER);
    await inbound('three');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received('/down')).toHaveLength(count);
  });
});
