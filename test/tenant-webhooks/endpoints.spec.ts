import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseGlobalId, toGlobalId } from '../../src/common/global-ids.js';
import { internalGql } from '../support/internal-api.js';
import { codesOf, sql, startTestApp, type TestApp } from '../support/app.js';
import { CREATE } from '../whatsapp-sessions/sessions.fragments.js';
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
  UPDATE_ENDPOINT,
} from './webhook-fragments.js';

/**
 * Registering and managing endpoints, on an app with no private target allowed and no deliverer
 * running: what is refused at registration (and why), the secret shown once, rotation, and
 * tenant B never reaching tenant A's endpoints or deliveries.
 */
describe('tenant webhook endpoints', () => {
  let t: TestApp;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    t = await startTestApp({ TENANT_WEBHOOKS_ALLOWED_PRIVATE_TARGETS: '' });
    tokenA = await t.token('hooks-a');
    tokenB = await t.token('hooks-b');
  });
  afterAll(() => t.close());

  async function create(token: string, input: Record<string, unknown>) {
    return t.gql<{ createWebhookEndpoint: { secret: string; endpoint: EndpointView } }>(
      CREATE_ENDPOINT,
      { input },
      { token },
    );
  }

  it.each([
    ['loopback IPv4', 'http://127.0.0.1:9/hook', 'PRIVATE_ADDRESS'],
    ['private 10/8', 'http://10.0.0.1/hook', 'PRIVATE_ADDRESS'],
    ['private 192.168/16', 'https://192.168.1.20/hook', 'PRIVATE_ADDRESS'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data', 'PRIVATE_ADDRESS'],
    ['loopback IPv6', 'http://[::1]:8080/hook', 'PRIVATE_ADDRESS'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook', 'PRIVATE_ADDRESS'],
    ['unique-local IPv6', 'http://[fd00::1]/hook', 'PRIVATE_ADDRESS'],
    ['unspecified', 'http://0.0.0.0/hook', 'PRIVATE_ADDRESS'],
    ['multicast', 'http://224.0.0.1/hook', 'PRIVATE_ADDRESS'],
    ['a name resolving to loopback', 'http://localhost:3000/hook', 'PRIVATE_ADDRESS'],
    ['a name that does not resolve', 'https://no-such-host.invalid/hook', 'UNRESOLVABLE_HOST'],
    ['another scheme', 'ftp://93.184.215.14/hook', 'SCHEME_NOT_ALLOWED'],
    ['credentials in the URL', 'https://user:pass@93.184.215.14/hook', 'CREDENTIALS_IN_URL'],
    ['not a URL', 'hook.example.com/path', 'INVALID_URL'],
  ])('refuses %s (%s) as BAD_USER_INPUT with reason %s, storing nothing', async (_name, url, reason) => {
    const result = await create(tokenA, { url, events: ['MESSAGE_RECEIVED'] });
    expect(result.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          field: 'input.url',
          details: { reason },
        }),
      }),
    ]);
    expect(await sql(t, `select id from tenant_webhook_endpoints`)).toEqual([]);
  });

  it('refuses an endpoint with no event', async () => {
    const result = await create(tokenA, { url: 'https://93.184.215.14/hook', events: [] });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('is for admins only', async () => {
    const member = await t.token('hooks-a', { userId: 'member', roles: ['member'] });
    const result = await create(member, { url: 'https://93.184.215.14/hook', events: ['MESSAGE_RECEIVED'] });
    expect(codesOf(result)).toEqual(['FORBIDDEN']);
    const list = await t.gql(LIST_ENDPOINTS, {}, { token: member });
    expect(codesOf(list)).toEqual(['FORBIDDEN']);
  });

  it('registers a public endpoint with a whsec_ secret shown once, updates, rotates and deletes it', async () => {
    const created = await create(tokenA, {
      url: 'https://93.184.215.14/hooks/whatsapp',
      events: ['MESSAGE_RECEIVED', 'SESSION_STATUS_CHANGED', 'MESSAGE_RECEIVED'],
      description: 'CRM',
    });
    expect(created.errors).toBeUndefined();
    const { secret, endpoint } = created.data!.createWebhookEndpoint;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toEqual({
      id: expect.any(String),
      url: 'https://93.184.215.14/hooks/whatsapp',
      events: ['MESSAGE_RECEIVED', 'SESSION_STATUS_CHANGED'],
      description: 'CRM',
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
      previousSecretExpiresAt: null,
    });
    // The list never shows the secret (the type has no such field): only the creation did.
    const list = await t.gql<{ webhookEndpoints: EndpointView[] }>(LIST_ENDPOINTS, {}, { token: tokenA });
    expect(list.data!.webhookEndpoints).toEqual([endpoint]);

    const updated = await t.gql<{ updateWebhookEndpoint: EndpointView }>(
      UPDATE_ENDPOINT,
      { input: { id: endpoint.id, events: ['MEDIA_READY'], enabled: false } },
      { token: tokenA },
    );
    expect(updated.data!.updateWebhookEndpoint).toEqual({
      ...endpoint,
      events: ['MEDIA_READY'],
      enabled: false,
    });

    const rotated = await t.gql<{ rotateWebhookEndpointSecret: { secret: string; endpoint: EndpointView } }>(
      ROTATE_SECRET,
      { id: endpoint.id },
      { token: tokenA },
    );
    const { secret: newSecret, endpoint: afterRotation } = rotated.data!.rotateWebhookEndpointSecret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    // The default overlap: a day.
    const overlapMs = Date.parse(afterRotation.previousSecretExpiresAt!) - Date.now();
    expect(overlapMs).toBeGreaterThan(23 * 3600_000);
    expect(overlapMs).toBeLessThanOrEqual(24 * 3600_000);

    const deleted = await t.gql(DELETE_ENDPOINT, { id: endpoint.id }, { token: tokenA });
    expect(deleted.data).toEqual({ deleteWebhookEndpoint: { id: endpoint.id } });
    const again = await t.gql(DELETE_ENDPOINT, { id: endpoint.id }, { token: tokenA });
    expect(codesOf(again)).toEqual(['NOT_FOUND']);
  });

  it('writes a session.status_changed delivery in the transaction of the status change', async () => {
    const created = await create(tokenA, {
      url: 'https://93.184.215.14/hooks/sessions',
      events: ['SESSION_STATUS_CHANGED'],
    });
    const endpoint = created.data!.createWebhookEndpoint.endpoint;
    const session = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName: 'Hooked line' } },
      { token: tokenA },
    );
    const sessionId = session.data!.createWhatsappSession.id;
    const linked = await internalGql(
      t,
      `mutation($id: ID!) { reportSessionStatus(input: { sessionId: $id, status: WORKING, me: { id: "4915100000777@c.us" } }) { id } }`,
      { id: sessionId },
    );
    expect(linked.errors).toBeUndefined();
    const page = await t.gql<{ webhookDeliveries: { edges: { node: DeliveryView }[] } }>(
      DELIVERIES,
      { endpointId: endpoint.id },
      { token: tokenA },
    );
    const nodes = page.data!.webhookDeliveries.edges.map((e) => e.node);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({
      id: expect.stringMatching(/^wd_[0-9a-f-]{36}$/),
      endpointId: endpoint.id,
      eventType: 'SESSION_STATUS_CHANGED',
      status: 'PENDING',
      attemptCount: 0,
    });
    expect(nodes[0]!.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    const body = JSON.parse(nodes[0]!.payload) as { type: string; timestamp: string; data: unknown };
    expect(body).toEqual({
      type: 'session.status_changed',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: {
        sessionId,
        status: 'WORKING',
        previousStatus: expect.any(String),
        timestamp: expect.any(String),
      },
    });
  });

  it("never shows, changes or replays another tenant's endpoints or deliveries: NOT_FOUND like an unknown id", async () => {
    const [endpoint] = (
      await t.gql<{ webhookEndpoints: EndpointView[] }>(LIST_ENDPOINTS, {}, { token: tokenA })
    ).data!.webhookEndpoints;
    const [row] = await sql<{ id: string }>(
      t,
      `select id from tenant_webhook_deliveries where endpoint_id = ?`,
      [parseGlobalId(endpoint!.id)!.key],
    );
    const delivery = toGlobalId('WebhookDelivery', row!.id);
    const stateOfA = async () =>
      JSON.stringify([
        await sql(t, `select * from tenant_webhook_endpoints order by id`),
        await sql(t, `select * from tenant_webhook_deliveries order by id`),
      ]);
    const before = await stateOfA();
    // Well-formed ids of the right kind that name no row (a malformed one is BAD_USER_INPUT).
    const unknown = toGlobalId('WebhookEndpoint', '00000000-0000-4000-8000-000000000000');
    const unknownDelivery = toGlobalId('WebhookDelivery', '00000000-0000-4000-8000-000000000000');
    const attacks: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
      [
        'update',
        UPDATE_ENDPOINT,
        { input: { id: endpoint!.id, enabled: false } },
        { input: { id: unknown, enabled: false } },
      ],
      ['rotate', ROTATE_SECRET, { id: endpoint!.id }, { id: unknown }],
      ['delete', DELETE_ENDPOINT, { id: endpoint!.id }, { id: unknown }],
      ['deliveries', DELIVERIES, { endpointId: endpoint!.id }, { endpointId: unknown }],
      ['replay one', REPLAY_DELIVERY, { id: delivery }, { id: unknownDelivery }],
      [
        'replay since',
        REPLAY_ENDPOINT,
        { endpointId: endpoint!.id, since: '2000-01-01T00:00:00Z' },
        { endpointId: unknown, since: '2000-01-01T00:00:00Z' },
      ],
    ];
    for (const [name, query, ofA, ofNobody] of attacks) {
      const asB = await t.gql(query, ofA, { token: tokenB });
      const asUnknown = await t.gql(query, ofNobody, { token: tokenB });
      expect([name, codesOf(asB)]).toEqual([name, ['NOT_FOUND']]);
      // The same answer as for an id nobody has, up to the id it names.
      expect(asB.errors![0]!.message.replace(/"[^"]*"/, '"?"')).toBe(
        asUnknown.errors![0]!.message.replace(/"[^"]*"/, '"?"'),
      );
    }
    const list = await t.gql<{ webhookEndpoints: EndpointView[] }>(LIST_ENDPOINTS, {}, { token: tokenB });
    expect(list.data!.webhookEndpoints).toEqual([]);
    expect(await stateOfA()).toBe(before);
  });
});
