import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { SignJWT } from 'jose';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { OutboxCommand } from '../../src/outbox/outbox-command.entity.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { WhatsappSession } from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { type FakeN8n, freePort, startFakeN8n } from '../support/fake-n8n.js';
import { internalGql } from '../support/internal-api.js';

const SECRETS = {
  JWT_SECRET: 'process-test-jwt-secret-0123456789abcdef',
  INTERNAL_API_KEY: 'process-test-internal-key-0123',
  N8N_WEBHOOK_SECRET: 'process-test-n8n-secret',
  WAHA_API_KEY: 'process-test-waha-key',
};

/**
 * The built service as operators run it (`node dist/src/main.js`, production mode): what it
 * writes to its log, and what happens to work in flight when it gets SIGTERM.
 */
describe('the service process', () => {
  let db: TestDatabase;
  let n8n: FakeN8n;
  let orm: MikroORM;
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  let token: string;
  const output: string[] = [];
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
    db = await createTestDatabase();
    n8n = await startFakeN8n();
    orm = await MikroORM.init(createOrmConfig(db.url, { logger: () => undefined }));
    const tenant = await new TenantsService(orm.em).ensure('process-co');
    token = await new SignJWT({ tid: tenant.id, roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('operator-test-user')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRETS.JWT_SECRET));

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        N8N_BASE_URL: n8n.url,
        OUTBOX_POLL_INTERVAL_MS: '50',
        WEBHOOK_PROBE_ON_CREATE: 'false',
        // Creates wait for a first QR that never comes (no n8n): shutdown must release them.
        CREATE_QR_WAIT_MS: '15000',
        ...SECRETS,
      },
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // A bound on a hang only: a cold start on a busy machine may take a while.
    await eventually(
      async () => {
        const ready = await fetch(`${url}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        // The service's log says why it is not ready.
        if (!ready) throw new Error(`the service did not become ready:\n${output.join('')}`);
      },
      { timeoutMs: 5 * 60_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await orm.close(true);
    await n8n.close();
    await db.drop();
  });

  function gql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    return fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify({ query, variables }),
    });
  }

  it('logs JSON lines with the request id and tenant, and never a token, key or message text', async () => {
    const response = await gql(
      'mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }',
      { input: { displayName: 'Logged', authMethod: 'PHONE_CODE', phoneNumber: '+49 151 99887766' } },
      { 'x-request-id': 'req-logged-0001' },
    );
    expect(response.status).toBe(200);
    await internalGql({ url, key: SECRETS.INTERNAL_API_KEY }, '{ __typename }');
    // The request's log line is written after its answer: wait for it rather than for a while.
    await eventually(() => expect(output.join('')).toContain('req-logged-0001'));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const log = output.join('');
    const lines = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    const request = lines.find(
      (line) => (line['req'] as { id?: string } | undefined)?.id === 'req-logged-0001',
    );
    expect(request).toMatchObject({
      level: 'info',
      service: 'whatsapp-hub',
      req: { method: 'POST', path: '/graphql' },
      res: { statusCode: 200 },
      tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    for (const secret of [token, ...Object.values(SECRETS), '4915199887766', 'Bearer']) {
      expect(log).not.toContain(secret);
    }
  });

  it('on SIGTERM answers everything it committed, and refuses the rest with a retryable code', async () => {
    n8n.failNext(5, 200, 400); // slow n8n: deliveries are in flight when the signal comes
    type Outcome = { status: number; body: GraphqlBody } | { networkError: string };
    type GraphqlBody = {
      data?: { createWhatsappSession: { id: string } } | null;
      errors?: { extensions?: { code?: string } }[];
    };
    const creates: Promise<Outcome>[] = Array.from({ length: 20 }, (_, i) =>
      gql('mutation($name: String!) { createWhatsappSession(input: { displayName: $name }) { id } }', {
        name: `Burst ${i}`,
      }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as GraphqlBody }),
        (error: unknown) => ({ networkError: String((error as Error).cause ?? error) }),
      ),
    );
    // Signal once the service has committed some of the burst, however long the machine takes.
    const burstRows = () =>
      orm.em.fork().count(WhatsappSession, { displayName: { $like: 'Burst %' } }, { filters: false });
    await eventually(async () => expect(await burstRows()).toBeGreaterThan(0), { intervalMs: 20 });
    child.kill('SIGTERM');
    const results = await Promise.all(creates);
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);

    // Every request that reached the service got an answer: its session, or a refusal to retry.
    // A connection refused after the listener closed never reached it and is retried by the client.
    for (const result of results) {
      if ('networkError' in result) {
        expect(result.networkError).toMatch(/ECONNREFUSED/);
        continue;
      }
      if (result.body.data?.createWhatsappSession) continue;
      expect(result.status).toBe(503);
      expect(result.body.errors?.map((e) => e.extensions?.code)).toEqual(['SHUTTING_DOWN']);
    }
    const acknowledged = results.flatMap((result) =>
      'body' in result && result.body.data ? [result.body.data.createWhatsappSession.id] : [],
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    const em = orm.em.fork();
    // Both ways: nothing acknowledged is missing, and nothing committed went unanswered.
    const sessions = await em.find(
      WhatsappSession,
      { displayName: { $like: 'Burst %' } },
      { filters: false },
    );
    expect(sessions.map((s) => s.id).sort()).toEqual([...acknowledged].sort());
    const commands = await em.find(OutboxCommand, { sessionId: { $in: acknowledged } });
    expect(commands.map((c) => c.sessionId).sort()).toEqual([...acknowledged].sort());
    // Delivered, or still waiting for the next start; never lost, never stuck claimed.
    for (const command of commands) {
      expect(['DELIVERED', 'PENDING']).toContain(command.status);
      if (command.status === 'PENDING') expect(command.lockedUntil).toBeNull();
    }
    expect(output.join('')).not.toMatch(/"level":"error"/);
  });
});
