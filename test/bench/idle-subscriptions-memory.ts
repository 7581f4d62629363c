/**
 * Target 2: 10,000 idle subscriptions on one replica cost at most 2x the memory of bare `ws`
 * sockets.
 *
 * Baseline: a bare `ws` WebSocketServer (server.js bare-ws) in a process of its own, 10,000
 * sockets opened to it that then stay idle. Service: one replica (server.js service, with Redis
 * as in production) in a process of its own, 10,000 graphql-ws sockets, each authenticated with
 * its own JWT in connection_init and holding the dashboard's subscription
 * `whatsappSessionUpdated(id)` (live: its first event, the snapshot, has arrived). Clients run in
 * a clients.js process of their own.
 *
 * The figure is the server's growth: VmRSS (/proc/<pid>/status) and V8 heapUsed after full GCs
 * (--expose-gc, asked over IPC) just before the sockets connect and once all 10,000 are idle,
 * divided by the sockets. Before the "before" sample both servers have served and dropped a
 * warm-up batch of the same kind of sockets, so code that runs only once (JIT, lazily loaded
 * modules, pools) is not counted as per-socket cost. Each round starts fresh processes; rounds
 * alternate baseline and service.
 *
 * File descriptors: each process holds one per socket (10,000 plus a few); `ulimit -n` here is
 * 20,000 per process, enough. Raise it in the shell that runs the benchmark if yours is lower.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtService } from '../../src/auth/jwt.service.js';
import { testConfig, TEST_REDIS_URL } from '../support/env.js';
import { SESSION_LIVE } from './qr-latency.js';
import {
  type BenchReport,
  Child,
  fmt,
  fmtSpread,
  gql,
  type MemorySample,
  MiB,
  now,
  spread,
} from './support.js';
import { type BenchDatabase, createBenchDatabase } from './database.js';

const SOCKETS = Number(process.env['BENCH_IDLE_SOCKETS'] ?? 10_000);
const WARMUP_SOCKETS = 200;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/**
 * How long the sockets sit idle before the "after" sample. 2 s samples the high-water of the
 * opening burst: V8 grows its young generation while 10,000 sockets open, and gives it back
 * (its memory reducer) only some seconds after allocation stops; ~30 s samples an idle replica's
 * steady state. Both sides wait the same.
 */
const IDLE_WAIT_MS = Number(process.env['BENCH_IDLE_WAIT_MS'] ?? 2000);
/** A directory: the service writes a heap snapshot there before and after the sockets open (round 1). */
const SNAPSHOTS = process.env['BENCH_HEAP_SNAPSHOT'];
const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }`;

interface Measurement {
  before: MemorySample;
  after: MemorySample;
  opened: number;
  openMs: number;
}

interface ServiceFixture {
  tokens: string[];
  sessionId: string;
}

export async function idleSubscriptionsMemory(): Promise<BenchReport> {
  const started = now();
  const db = await createBenchDatabase();
  const notes: string[] = [];
  let fixture: ServiceFixture | undefined;
  try {
    const bare: Measurement[] = [];
    const service: Measurement[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bare.push(await measure('bare-ws', db, undefined));
      const first = fixture === undefined;
      const result = await measure('service', db, fixture);
      fixture = result.fixture;
      service.push(result);
      if (first && result.opened < SOCKETS) notes.push(`service: only ${result.opened} subscriptions live`);
    }
    for (const [name, runs] of [
      ['baseline', bare],
      ['service', service],
    ] as const) {
      const short = runs.filter((m) => m.opened < SOCKETS).length;
      if (short > 0) notes.push(`${name}: ${short} round(s) with fewer than ${SOCKETS} sockets`);
    }

    const perSocket = (m: Measurement, field: keyof MemorySample) =>
      (m.after[field] - m.before[field]) / m.opened;
    const row = (figure: string, pick: (m: Measurement) => number, digits = 1, withRatio = true) => ({
      figure,
      baseline: fmtSpread(spread(bare.map(pick)), digits),
      service: fmtSpread(spread(service.map(pick)), digits),
      ratio: withRatio ? fmtSpread(spread(service.map((s, i) => pick(s) / pick(bare[i]!)))) : '',
    });
    notes.push(
      `${SOCKETS} sockets x ${ROUNDS} rounds, sampled after ${IDLE_WAIT_MS / 1000} s idle; open time s: baseline ${fmtSpread(
        spread(bare.map((m) => m.openMs / 1000)),
        1,
      )}, service ${fmtSpread(spread(service.map((m) => m.openMs / 1000)), 1)}; ` +
        `${fmt((now() - started) / 1000, 0)} s in all`,
    );
    return {
      name: 'idle-subscriptions-memory',
      target: '10,000 idle subscriptions on one replica: memory <= 2x bare ws sockets',
      ratio: spread(service.map((s, i) => perSocket(s, 'rss') / perSocket(bare[i]!, 'rss'))),
      limit: 2,
      rows: [
        row('idle RSS before, MiB', (m) => m.before.rss / MiB, 1, false),
        row('RSS growth, MiB', (m) => (m.after.rss - m.before.rss) / MiB),
        row('RSS per socket, bytes (target)', (m) => perSocket(m, 'rss'), 0),
        row('heapUsed per socket after GC, bytes', (m) => perSocket(m, 'heapUsed'), 0),
        row(
          'external+arrayBuffers per socket, bytes',
          (m) => perSocket(m, 'external') + perSocket(m, 'arrayBuffers'),
          0,
          false,
        ),
      ],
      notes,
    };
  } finally {
    await db.drop().catch((error: unknown) => console.error(`bench: dropping ${db.name} failed`, error));
  }
}

async function measure(
  kind: 'bare-ws' | 'service',
  db: BenchDatabase,
  existing: ServiceFixture | undefined,
): Promise<Measurement & { fixture: ServiceFixture | undefined }> {
  const children: Child[] = [];
  try {
    const server =
      kind === 'service'
        ? Child.start('service', 'server', ['service'], {
            BENCH_DATABASE_URL: db.url,
            BENCH_MIGRATE: existing ? 'false' : 'true',
            REDIS_URL: TEST_REDIS_URL,
          })
        : Child.start('bare ws', 'server', ['bare-ws']);
    children.push(server);
    const { url } = (await server.ready()) as { url: string };
    let fixture = existing;
    if (kind === 'service' && !fixture) fixture = await serviceFixture(server, url);

    const clients = Child.start(`${kind} clients`, 'clients', [], {}, []);
    children.push(clients);
    await clients.ready();
    const open = (count: number) =>
      clients.request<{ opened: number; failed: number; ms: number }>(
        'open',
        fixture
          ? {
              kind: 'graphql-ws',
              url: `${url.replace(/^http/, 'ws')}/graphql`,
              count,
              tokens: fixture.tokens,
              query: SESSION_LIVE,
              variables: { id: fixture.sessionId },
            }
          : { kind: 'ws', url, count },
        300_000,
      );

    // Warm-up: the same kind of sockets, served and dropped, before the "before" sample.
    await open(WARMUP_SOCKETS);
    await clients.request('close');
    await sleep(1000);
    const snapshot = async (name: string) => {
      if (SNAPSHOTS && kind === 'service' && !existing) {
        await server.request('heapSnapshot', { path: `${SNAPSHOTS}/idle-${name}.heapsnapshot` }, 300_000);
      }
    };
    const before = await server.request<MemorySample>('memory');
    await snapshot('before');
    const { opened, ms } = await open(SOCKETS);
    await sleep(IDLE_WAIT_MS);
    const after = await server.request<MemorySample>('memory');
    await snapshot('after');
    return { before, after, opened, openMs: ms, fixture };
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
  }
}

/** A tenant, one session of it, and a JWT per socket (distinct users, as 10,000 dashboards would be). */
async function serviceFixture(server: Child, url: string): Promise<ServiceFixture> {
  const tenantId = await server.request<string>('tenant', { slug: 'bench-idle' });
  const jwt = new JwtService(testConfig());
  const admin = await jwt.sign({ tenantId, userId: 'bench-admin', roles: ['admin'] });
  const created = await gql<{ createWhatsappSession: { id: string } }>(
    `${url}/graphql`,
    CREATE,
    { input: { displayName: 'Bench idle' } },
    { authorization: `Bearer ${admin}` },
  );
  const tokens = await Promise.all(
    Array.from({ length: SOCKETS }, (_, i) =>
      jwt.sign({ tenantId, userId: `bench-user-${i}`, roles: ['viewer'] }),
    ),
  );
  return { tokens, sessionId: created.createWhatsappSession.id };
}
