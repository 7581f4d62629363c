import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/fake-n8n.js';
import { TEST_REDIS_URL } from '../support/env.js';

const LIST = '{ whatsappSessions(first: 5) { edges { node { id status } } } }';

describe('operations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  describe('health', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(
        { REDIS_URL: TEST_REDIS_URL, WAHA_URL: `http://127.0.0.1:${await freePort()}` },
        db,
      );
    });
    afterAll(() => t.app.close());

    it('is live, and ready when PostgreSQL answers', async () => {
      expect(await (await fetch(`${t.url}/health/live`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${t.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        info: { accepting: { status: 'up' }, postgres: { status: 'up' } },
      });
      expect(await (await fetch(`${t.url}/health`)).json()).toMatchObject({
        redis: { configured: true, reachable: true },
      });
    });

    it('reports WAHA, n8n and the outbox beside readiness, without letting them decide it', async () => {
      const response = await fetch(`${t.url}/health`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, { reachable?: boolean; pending?: number }>;
      expect(body['waha']).toMatchObject({
        reachable: false,
        error: expect.stringContaining('ECONNREFUSED'),
      });
      expect(body['outbox']).toMatchObject({ pending: expect.any(Number), dead: expect.any(Number) });
    });

    it('stays ready when Redis is unreachable (it serves on its fallbacks), and /health says Redis is down', async () => {
      const broken = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, db);
      try {
        const ready = await fetch(`${broken.url}/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).not.toHaveProperty('info.redis');
        expect(await (await fetch(`${broken.url}/health`)).json()).toMatchObject({
          redis: { configured: true, reachable: false },
        });
        expect((await fetch(`${broken.url}/health/live`)).status).toBe(200);
      } finally {
        await broken.app.close();
      }
    });
  });

  describe('metrics', () => {
    it('counts GraphQL operations by root field and outcome, and sessions by status, with no ids in labels', async () => {
      const t = await startTestApp({}, db);
      try {
        const token = await t.token('metrics-co');
        const created = await t.gql<{ createWhatsappSession: { id: string } }>(
          'mutation { createWhatsappSession(input: { displayName: "Measured" }) { id } }',
          {},
          { token },
        );
        await t.gql(LIST, {}, { token });
        await t.gql('{ whatsappSession(id: "ws_missing") { id } }', {}, { token });
        const text = await (await fetch(`${t.url}/metrics`)).text();
        expect(text).toContain(
          'whatsapp_hub_graphql_operations_total{endpoint="public",type="mutation",operation="createWhatsappSession",outcome="ok"} 1',
        );
        expect(text).toContain(
          'whatsapp_hub_graphql_operations_total{endpoint="public",type="query",operation="whatsappSession",outcome="error"} 1',
        );
        expect(text).toMatch(/whatsapp_hub_sessions\{status="CREATING"\} \d+/);
        expect(text).toMatch(/whatsapp_hub_outbox_pending \d+/);
        expect(text).toContain('whatsapp_hub_graphql_operation_duration_seconds_bucket');
        expect(text).not.toContain(created.data!.createWhatsappSession.id);
      } finally {
        await t.app.close();
      }
    });
  });

  describe('protection of the public API', () => {
    it('limits requests per tenant per minute with RATE_LIMITED, other tenants unaffected', async () => {
      const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' }, db);
      try {
        const busy = await t.token('busy-co');
        const quiet = await t.token('quiet-co');
        for (let i = 0; i < 3; i += 1)
          expect((await t.gql(LIST, {}, { token: busy })).errors).toBeUndefined();
        const refused = await t.gql(LIST, {}, { token: busy });
        expect(refused.errors).toEqual([
          expect.objectContaining({
            extensions: {
              code: 'RATE_LIMITED',
              details: { limit: 3, retryAfterSeconds: expect.any(Number) },
            },
          }),
        ]);
        expect((await t.gql(LIST, {}, { token: quiet })).errors).toBeUndefined();
      } finally {
        await t.app.close();
      }
    });

    it('holds the limit across replicas that share Redis', async () => {
      const env = { RATE_LIMIT_PER_MINUTE: '4', REDIS_URL: TEST_REDIS_URL };
      const [a, b] = [await startTestApp(env, db), await startTestApp(env, db)];
      try {
        const token = await a.token(`shared-${Date.now()}`);
        const codes = [];
        for (const app of [a, b, a, b, a]) codes.push(codesOf(await app.gql(LIST, {}, { token }))[0] ?? 'OK');
        expect(codes).toEqual(['OK', 'OK', 'OK', 'OK', 'RATE_LIMITED']);
      } finally {
        await a.app.close();
        await b.app.close();
      }
    });

    it('refuses a query nested deeper than GRAPHQL_MAX_DEPTH before running it', async () => {
      const t = await startTestApp({ GRAPHQL_MAX_DEPTH: '4' }, db);
      try {
        const token = await t.token('deep-co');
        const deep = '{ whatsappSessions { edges { node { me { wahaId } } } } }';
        expect(codesOf(await t.gql(deep, {}, { token }))).toEqual(['QUERY_TOO_DEEP']);
        expect(
          (await t.gql('{ whatsappSessions { edges { cursor } } }', {}, { token })).errors,
        ).toBeUndefined();
      } finally {
        await t.app.close();
      }
    });

    it('refuses a query that would cost more than GRAPHQL_MAX_COMPLEXITY, counting page sizes', async () => {
      const t = await startTestApp({ GRAPHQL_MAX_COMPLEXITY: '200' }, db);
      try {
        const token = await t.token('wide-co');
        const wide = '{ whatsappSessions(first: 100) { edges { node { id displayName status } } } }';
        const result = await t.gql(wide, {}, { token });
        expect(result.errors).toEqual([
          expect.objectContaining({
            extensions: {
              code: 'QUERY_TOO_COMPLEX',
              details: { complexity: expect.any(Number), maxComplexity: 200 },
            },
          }),
        ]);
        const narrow = '{ whatsappSessions(first: 5) { edges { node { id displayName status } } } }';
        expect((await t.gql(narrow, {}, { token })).errors).toBeUndefined();
        // Paging backward costs the same as forward, and nodes(ids) as many objects as it names.
        const backward = '{ whatsappSessions(last: 100) { edges { node { id displayName status } } } }';
        expect(codesOf(await t.gql(backward, {}, { token }))).toEqual(['QUERY_TOO_COMPLEX']);
        const ids = JSON.stringify(
          Array.from({ length: 100 }, (_, i) => `ws_${String(i).padStart(26, '0')}`),
        );
        const many = `{ nodes(ids: ${ids}) { id ... on WhatsappSession { displayName status } } }`;
        expect(codesOf(await t.gql(many, {}, { token }))).toEqual(['QUERY_TOO_COMPLEX']);
        expect(
          (
            await t.gql(
              `{ nodes(ids: ${JSON.stringify(JSON.parse(ids).slice(0, 5))}) { id } }`,
              {},
              { token },
            )
          ).errors,
        ).toBeUndefined();
      } finally {
        await t.app.close();
      }
    });

    it('refuses an oversized or malformed GraphQL body with a coded error in GraphQL shape', async () => {
      const t = await startTestApp({ GRAPHQL_MAX_BODY_BYTES: '2048' }, db);
      try {
        const post = (body: string) =>
          fetch(`${t.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
        const big = await post(
          JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(4096) } }),
        );
        expect(big.status).toBe(413);
        expect(await big.json()).toEqual({
          errors: [
            {
              message: 'The request body is larger than 2048 bytes',
              extensions: { code: 'PAYLOAD_TOO_LARGE' },
            },
          ],
        });
        const broken = await post('{"query": ');
        expect(broken.status).toBe(400);
        expect(await broken.json()).toEqual({
          errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
        });
        const fine = await t.gql(LIST, {}, { token: await t.token('body-co') });
        expect(fine.errors).toBeUndefined();
      } finally {
        await t.app.close();
      }
    });

    it('answers a request id on every response, taking a well-formed one from the caller', async () => {
      const t = await startTestApp({}, db);
      try {
        const given = await fetch(`${t.url}/health/live`, {
          headers: { 'x-request-id': 'trace-1234567890' },
        });
        expect(given.headers.get('x-request-id')).toBe('trace-1234567890');
        const generated = await fetch(`${t.url}/health/live`, {
          headers: { 'x-request-id': 'bad id with spaces' },
        });
        expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        await t.app.close();
      }
    });
  });
});
