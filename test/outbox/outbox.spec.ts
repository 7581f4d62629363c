import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { OutboxCommand } from '../../src/outbox/outbox-command.entity.js';
import { OutboxDispatcher } from '../../src/outbox/outbox.dispatcher.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type FakeN8n, startFakeN8n } from '../support/fake-n8n.js';

const CREATE = `mutation($name: String!) { createWhatsappSession(input: { displayName: $name }) { id } }`;
const STOP = `mutation($id: ID!) { stopWhatsappSession(id: $id) { id } }`;

describe('the outbox to n8n', () => {
  let db: TestDatabase;
  let n8n: FakeN8n;
  const apps: TestApp[] = [];

  function dispatching(extra: Record<string, string> = {}) {
    return {
      N8N_BASE_URL: n8n.url,
      N8N_WEBHOOK_SECRET: 'secret-that-n8n-checks',
      OUTBOX_DISPATCH: 'true',
      OUTBOX_POLL_INTERVAL_MS: '25',
      OUTBOX_BASE_BACKOFF_MS: '100',
      OUTBOX_MAX_BACKOFF_MS: '2000',
      // Create answers at once instead of waiting for a QR that this fake n8n never reports: so
      // a test's next command is written while the create is still being delivered (the order
      // test depends on it), and each test takes a second, not twenty.
      CREATE_QR_WAIT_MS: '0',
      ...extra,
    };
  }

  async function start(env: Record<string, string>) {
    const app = await startTestApp(env, db);
    apps.push(app);
    return app;
  }

  async function commands(app: TestApp) {
    return app.app
      .get(MikroORM)
      .em.fork()
      .find(OutboxCommand, {}, { orderBy: { id: 'asc' } });
  }

  // A database of its own per test: commands of one test must not be delivered in the next.
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.app.close()));
    await n8n.close();
    await db.drop();
  });

  it('delivers a command with the secret, an idempotency key and the full WAHA create request', async () => {
    n8n = await startFakeN8n();
    const app = await start(dispatching());
    const token = await app.token('acme');
    const { data } = await app.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { name: 'Sales' },
      { token },
    );
    const sessionId = data!.createWhatsappSession.id;

    const [received] = await n8n.waitFor((r) => r.length === 1);
    expect(received!.path).toBe('/webhook/whatsapp-hub/session-create');
    expect(received!.headers['x-whatsapp-hub-secret']).toBe('secret-that-n8n-checks');
    expect(received!.headers['idempotency-key']).toBe(received!.body.commandId);
    expect(received!.body).toMatchObject({ type: 'session.create', sessionId, attempt: 1 });
    expect(received!.body.payload).toMatchObject({
      authMethod: 'QR',
      phoneNumber: null,
      wahaRequest: {
        name: sessionId,
        start: true,
        config: {
          metadata: { 'whatsapp-hub.sessionId': sessionId, 'whatsapp-hub.tenantId': received!.body.tenantId },
          webhooks: [
            {
              url: app.config.webhooks.publicUrl,
              events: [
                'session.status',
                'message',
                'message.any',
                'message.ack',
                'message.reaction',
                'message.edited',
                'message.revoked',
              ],
              hmac: { key: expect.stringMatching(/^[0-9a-f]{64}$/) },
              retries: { policy: 'exponential', delaySeconds: 2, attempts: 15 },
              customHeaders: [],
            },
          ],
        },
      },
    });

    await eventually(async () => expect((await commands(app))[0]?.status).toBe('DELIVERED'));
    const [row] = await commands(app);
    expect(row).toMatchObject({ status: 'DELIVERED', attempts: 1, lastError: null });
  });

  it('retries with growing backoff while n8n is down, keeping the same command id, then delivers', async () => {
    n8n = await startFakeN8n();
    n8n.failNext(3, 503);
    const app = await start(dispatching());
    const token = await app.token('acme');
    await app.gql(CREATE, { name: 'Retried' }, { token });

    const received = await n8n.waitFor((r) => r.length === 4);
    expect(new Set(received.map((r) => r.body.commandId)).size).toBe(1);
    expect(new Set(received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(received.map((r) => r.body.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = received.slice(1).map((r, i) => r.at - received[i]!.at);
    // 100 ms, then 200, then 400 (each ±25%): every wait is longer than the one before.
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);

    await eventually(async () => expect((await commands(app))[0]?.status).toBe('DELIVERED'));
    expect((await commands(app))[0]).toMatchObject({ attempts: 4, lastError: null });
  });

  it('does not take n8n\'s "starting up" 200 for a delivery: it retries until a workflow answers', async () => {
    n8n = await startFakeN8n();
    n8n.startingUpNext(2);
    const app = await start(dispatching());
    const token = await app.token('acme');
    await app.gql(CREATE, { name: 'While n8n starts' }, { token });

    const received = await n8n.waitFor((r) => r.length === 3);
    expect(received.map((r) => r.body.attempt)).toEqual([1, 2, 3]);
    await eventually(async () =>
      expect((await commands(app))[0]).toMatchObject({ status: 'DELIVERED', attempts: 3, lastError: null }),
    );
  });

  it('records why a delivery failed while it keeps trying, and gives up after OUTBOX_MAX_ATTEMPTS', async () => {
    n8n = await startFakeN8n();
    n8n.failNext(100, 500);
    const app = await start(dispatching({ OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_BASE_BACKOFF_MS: '10' }));
    await app.gql(CREATE, { name: 'Doomed' }, { token: await app.token('acme') });
    await eventually(async () => expect((await commands(app))[0]?.status).toBe('DEAD'));
    const [row] = await commands(app);
    expect(row).toMatchObject({ status: 'DEAD', attempts: 3 });
    expect(row!.lastError).toBe('n8n answered HTTP 500: {"message":"Error in workflow"}');
    expect(await app.app.get(OutboxDispatcher).stats()).toMatchObject({ pending: 0, dead: 1 });
  });

  it('delivers, after the service comes back, a command written just before it stopped', async () => {
    n8n = await startFakeN8n();
    const before = await start({ OUTBOX_DISPATCH: 'false' });
    await before.gql(CREATE, { name: 'Written then crashed' }, { token: await before.token('acme') });
    const stats = await before.app.get(OutboxDispatcher).stats();
    expect(stats.pending).toBe(1);
    expect(stats.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    await before.app.close();
    apps.splice(apps.indexOf(before), 1);
    expect(n8n.received).toHaveLength(0);

    const after = await start(dispatching());
    await n8n.waitFor((r) => r.some((c) => c.body.type === 'session.create'));
    await eventually(async () =>
      expect(
        (await commands(after)).filter((c) => c.status !== 'DELIVERED').map((c) => [c.type, c.status]),
      ).toEqual([]),
    );
  });

  it("delivers a session's commands in the order they were written, even when the first one is retried", async () => {
    n8n = await startFakeN8n();
    n8n.failNext(2, 502);
    const app = await start(dispatching({ OUTBOX_BASE_BACKOFF_MS: '200' }));
    const token = await app.token('acme');
    const { data } = await app.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { name: 'Ordered' },
      { token },
    );
    await app.gql(STOP, { id: data!.createWhatsappSession.id }, { token });

    const received = await n8n.waitFor(
      (r) => r.filter((c) => c.headers['x-whatsapp-hub-secret']).length >= 4,
      10_000,
    );
    const firstStop = received.findIndex((r) => r.body.type === 'session.stop');
    const lastCreate = received.map((r) => r.body.type).lastIndexOf('session.create');
    expect(received.slice(0, 3).map((r) => r.body.type)).toEqual([
      'session.create',
      'session.create',
      'session.create',
    ]);
    expect(firstStop).toBeGreaterThan(lastCreate);
  });

  it('adds no second stop while one is still waiting: a retried request changes nothing twice', async () => {
    n8n = await startFakeN8n();
    const app = await start({ OUTBOX_DISPATCH: 'false' });
    const token = await app.token('acme');
    const { data } = await app.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { name: 'Stop twice' },
      { token },
    );
    await app.gql(STOP, { id: data!.createWhatsappSession.id }, { token });
    await app.gql(STOP, { id: data!.createWhatsappSession.id }, { token });
    const types = (await commands(app))
      .filter((c) => c.sessionId === data!.createWhatsappSession.id)
      .map((c) => c.type);
    expect(types).toEqual(['session.create', 'session.stop']);
  });

  it('never delivers one command twice when two replicas dispatch from the same database', async () => {
    n8n = await startFakeN8n();
    const writer = await start({ OUTBOX_DISPATCH: 'false' });
    const token = await writer.token('acme');
    for (let i = 0; i < 30; i += 1) await writer.gql(CREATE, { name: `Busy ${i}` }, { token });
    const pending = (await commands(writer)).filter((c) => c.status === 'PENDING').length;

    await Promise.all([start(dispatching()), start(dispatching())]);
    const received = await n8n.waitFor((r) => r.length >= pending);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ids = received.map((r) => r.body.commandId);
    expect(ids).toHaveLength(pending);
    expect(new Set(ids).size).toBe(pending);
  });

  it('retries a delivery that timed out: n8n sees the same command id again and can drop the duplicate', async () => {
    n8n = await startFakeN8n();
    n8n.failNext(1, 200, 600);
    const app = await start(dispatching({ N8N_TIMEOUT_MS: '200' }));
    await app.gql(CREATE, { name: 'Slow n8n' }, { token: await app.token('acme') });
    const received = await n8n.waitFor((r) => r.length >= 2);
    expect(received[0]!.body.commandId).toBe(received[1]!.body.commandId);
    await eventually(async () => expect((await commands(app))[0]?.status).toBe('DELIVERED'));
  });
});
