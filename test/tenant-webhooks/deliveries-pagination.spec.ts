import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, sql, startTestApp, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { BAD_PAGE_ARGS, expectPagesCover, type PageArgs, type RelayPage } from '../support/relay-pages.js';
import { CREATE_SESSION } from '../support/linked-session.js';
import { CREATE_ENDPOINT, DELIVERIES, type DeliveryView } from './webhook-fragments.js';

/**
 * webhookDeliveries as a Relay connection: newest first both ways, deliveries written in the
 * same millisecond (the cursor's time is whole milliseconds) included, and the refusals.
 */
describe('webhookDeliveries: Relay cursor connection', () => {
  let t: TestApp;
  let token: string;
  let endpointId: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('relay-hooks');
    const endpoint = await t.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
      CREATE_ENDPOINT,
      { input: { url: 'https://93.184.215.14/hooks', events: ['SESSION_STATUS_CHANGED'] } },
      { token },
    );
    expect(endpoint.errors).toBeUndefined();
    endpointId = endpoint.data!.createWebhookEndpoint.endpoint.id;
    // Each session linked writes one session.status_changed delivery.
    for (let i = 0; i < 8; i += 1) {
      const session = await t.gql<{ createWhatsappSession: { id: string } }>(
        CREATE_SESSION,
        { input: { displayName: `H${i}` } },
        { token },
      );
      const linked = await internalGql(
        t,
        `mutation($id: ID!) { reportSessionStatus(input: { sessionId: $id, status: WORKING, me: { id: "4915100000501@c.us" } }) { status } }`,
        { id: session.data!.createWhatsappSession.id },
      );
      expect(linked.errors).toBeUndefined();
    }
    // Ties: three in one millisecond (microseconds apart, which the cursor does not hold), two in another.
    const ids = (
      await sql<{ id: string }>(t, `select id from tenant_webhook_deliveries order by created_at, id`)
    ).map((r) => r.id);
    expect(ids).toHaveLength(8);
    const at = [
      '2026-11-01 10:00:00.001+00',
      '2026-11-01 10:00:00.002100+00',
      '2026-11-01 10:00:00.002900+00',
      '2026-11-01 10:00:00.002500+00',
      '2026-11-01 10:00:00.003+00',
      '2026-11-01 10:00:00.004+00',
      '2026-11-01 10:00:00.004+00',
      '2026-11-01 10:00:01+00',
    ];
    for (const [i, id] of ids.entries()) {
      await sql(t, `update tenant_webhook_deliveries set created_at = ? where id = ?`, [at[i], id]);
    }
  });
  afterAll(() => t.close());

  const deliveries =
    (status?: string) =>
    async (args: PageArgs): Promise<RelayPage<DeliveryView>> => {
      const result = await t.gql<{ webhookDeliveries: RelayPage<DeliveryView> }>(
        DELIVERIES,
        { endpointId, status, ...args },
        { token },
      );
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      return result.data.webhookDeliveries;
    };

  it('pages newest first both ways, ties within a millisecond included, and narrows between two cursors', async () => {
    // The deliveries told apart by their webhook-id (msg_ and the row's UUID), whatever id the API shows.
    const order = await sql<{ id: string }>(
      t,
      `select 'msg_' || replace(id::text, '-', '') as id from tenant_webhook_deliveries
        order by date_trunc('milliseconds', created_at) desc, id desc`,
    );
    await expectPagesCover(
      deliveries(),
      order.map((r) => r.id),
      (d) => d.webhookId,
    );
  });

  it('pages the deliveries of one status the same way', async () => {
    const all = await deliveries()({ first: 100 });
    const failed = all.edges.filter((_, i) => i % 3 === 0).map((e) => e.node.webhookId);
    await sql(
      t,
      `update tenant_webhook_deliveries set status = 'FAILED'
        where 'msg_' || replace(id::text, '-', '') in (${failed.map(() => '?').join(', ')})`,
      failed,
    );
    const ofStatus = await deliveries('FAILED')({ last: 2 });
    expect(ofStatus.edges.map((e) => e.node.webhookId)).toEqual(failed.slice(-2));
    expect(ofStatus.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it.each(BAD_PAGE_ARGS)(
    'refuses %s: BAD_USER_INPUT on the argument',
    async (_name, args, field, message) => {
      const result = await t.gql(DELIVERIES, { endpointId, ...args }, { token });
      expect(result.errors).toEqual([
        expect.objectContaining({ message, extensions: { code: 'BAD_USER_INPUT', field } }),
      ]);
    },
  );

  it.each([
    ['a session', ['ws_01k0000000000000000000000']],
    ['a chat', [1_800_000_000_000, '4917000000300@c.us']],
  ])('refuses the cursor of %s on before: BAD_USER_INPUT', async (_name, key) => {
    const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
    const result = await t.gql(DELIVERIES, { endpointId, last: 2, before: cursor }, { token });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'before is not a cursor this API returned',
        extensions: { code: 'BAD_USER_INPUT', field: 'before' },
      }),
    ]);
  });

  it("does not page tenant A's deliveries for tenant B, either way: NOT_FOUND", async () => {
    const other = await t.token('relay-hooks-b');
    const cursor = (await deliveries()({ first: 3 })).edges[2]!.cursor;
    for (const args of [{}, { last: 2 }, { first: 2, after: cursor }, { last: 2, before: cursor }]) {
      const result = await t.gql(DELIVERIES, { endpointId, ...args }, { token: other });
      expect(codesOf(result)).toEqual(['NOT_FOUND']);
    }
  });
});
