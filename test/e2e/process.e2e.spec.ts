import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { SignJWT } from 'jose';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { OutboxCommand } from '../../src/n8n/outbox-command.entity.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { WhatsappSession } from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeN8n, freePort, startFakeN8n } from '../support/fake-n8n.js';

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
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`the service did not become ready:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
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
    await fetch(`${url}/internal/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-key': SECRETS.INTERNAL_API_KEY },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

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

  it('on SIGTERM finishes what it accepted: every acknowledged create has its session and its command', async () => {
    n8n.failNext(5, 200, 400); // slow n8n: deliveries are in flight when the signal comes
    const creates = Array.from({ length: 20 }, (_, i) =>
      gql('mutation($name: String!) { createWhatsappSession(input: { displayName: $name }) { id } }', {
        name: `Burst ${i}`,
      })
        .then(async (response) => ({
          ok: response.ok,
          body: (await response.json()) as { data?: { createWhatsappSession: { id: string } } },
        }))
        .catch(() => ({ ok: false, body: {} as { data?: { createWhatsappSession: { id: string } } } })),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const results = await Promise.all(creates);
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    // The creates were waiting up to 15 s for a QR; shutdown answered them with the stored session instead.
    expect(Date.now() - signalled).toBeLessThan(10_000);

    const acknowledged = results.flatMap((result) =>
      result.ok && result.body.data ? [result.body.data.createWhatsappSession.id] : [],
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    const em = orm.em.fork();
    const sessions = await em.find(WhatsappSession, { id: { $in: acknowledged } }, { filters: false });
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
