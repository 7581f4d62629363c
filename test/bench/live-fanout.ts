/**
 * Target 5 (issue 15): live fan-out. 10,000 subscriptions on ONE replica, each receiving one
 * event per second (10,000 messages/s out) for 60 s: the replica's CPU <= 50% of the machine's
 * cores, delivery p99 <= 100 ms, nothing dropped.
 *
 * Service (the real path): one replica (server.js service, Redis, request logging at info with
 * stdout discarded, as webhook-ingestion). S sessions (100), each in a tenant of its own and linked
 * the way WAHA knows it (a WORKING row with a known webhook key, as webhook-ingestion), and
 * 10,000 graphql-ws clients (clients.js, its own process), socket i subscribed to session
 * i % S with the dashboard's message subscription `whatsappMessageUpserted(sessionId)`, each
 * with its own JWT. Events enter as in production: this process plays WAHA and sends one
 * signed inbound `message` webhook per session per second, spread evenly over the second;
 * the replica stores it, publishes it on `message.upserted:<tenant>` and fans it out to the
 * session's 100 sockets. (BENCH_FANOUT_FEED=redis instead publishes on that channel exactly
 * what the replica published for the session, as another replica would: fan-out alone.)
 *
 * Baseline: server.js bare-relay with BENCH_ROOMS=S (one ioredis subscriber, one channel per
 * room as the service has one per tenant, each message as it came to its room's sockets) and
 * 10,000 bare `ws` clients, socket i in room i % S. This process PUBLISHes, at the same pace,
 * the `next` message the service sent (shaped from a received one, the key swapped), so both
 * sides carry and parse the same bytes at the same rate.
 *
 * Figures per run: the server process's CPU over the feed's window (process.cpuUsage over
 * IPC, % of all cores), latency per delivered message (client receipt minus publish, the
 * publish seen by a Redis subscriber in this process; and minus the send: the webhook POST or
 * the PUBLISH call), and drops: per subscriber, the events of its session that were
 * acknowledged (2xx) or published, minus those it received within GRACE_MS of the last.
 * Warm-up per side until a run drops nothing; rounds alternate which side goes first.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg, { type Pool } from 'pg';
import { JwtService } from '../../src/auth/jwt.service.js';
import { channelOf, Topic } from '../../src/realtime/topics.js';
import { testConfig, TEST_REDIS_URL } from '../support/env.js';
import { createBenchDatabase } from './database.js';
import { type BenchReport, Child, fmt, now, percentiles } from './support.js';
import {
  CORES,
  cpuMsOf,
  type Cpu,
  dropSample,
  eventBody,
  FEED,
  GRACE_MS,
  KEY_PATH,
  keyIn,
  keyOf,
  machineTicks,
  meOf,
  postSigned,
  type Receipts,
  report,
  ROUNDS,
  type Run,
  SECONDS,
  SESSIONS,
  type Side,
  SUBSCRIBERS,
  WARMUP_SECONDS,
  WARMUP_TRIES,
} from './live-fanout-support.js';

/** A dashboard's live message list: the message as a list row, its chat as the chat list shows it. */
export const MESSAGE_LIVE = `subscription MessageLive($sessionId: ID!) {
  whatsappMessageUpserted(sessionId: $sessionId) {
    message { id wahaId chatId fromMe direction type body hasMedia ack ackName status timestamp }
    chat { id chatId name unreadCount lastActivityAt }
    replaces
    replacesChats
  }
}`;

export async function liveFanout(): Promise<BenchReport> {
  const started = now();
  const db = await createBenchDatabase();
  const children: Child[] = [];
  const redis: Redis[] = [];
  const notes: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let pool: Pool | undefined;
  try {
    const service = Child.start(
      'service',
      'server',
      ['service'],
      {
        BENCH_DATABASE_URL: db.url,
        BENCH_MIGRATE: 'true',
        REDIS_URL: TEST_REDIS_URL,
        BENCH_LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'info',
      },
      ['--expose-gc'],
      'ignore',
    );
    children.push(service);
    const { url: serviceBase } = (await service.ready()) as { url: string };

    // S tenants with one linked session each, and a JWT per subscriber for its session's tenant.
    const hmacKey = randomBytes(32).toString('hex');
    pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'bench-orchestrator' });
    const tenants: string[] = [];
    const sessions: string[] = [];
    for (let k = 0; k < SESSIONS; k++) {
      const tenantId = await service.request<string>('tenant', { slug: `bench-fanout-${k}` });
      const sessionId = `ws_bench_fanout_${k}`;
      await pool.query(
        `insert into whatsapp_sessions (id, tenant_id, display_name, auth_method, status, me_id, me_push_name,
          webhook_hmac_key, created_at, updated_at, created_by, updated_by)
         values ($1, $2, 'Bench fan-out', 'QR', 'WORKING', $3, 'Bench Shop', $4, now(), now(), 'bench', 'bench')`,
        [sessionId, tenantId, meOf(k), hmacKey],
      );
      tenants.push(tenantId);
      sessions.push(sessionId);
    }
    const jwt = new JwtService(testConfig());
    const tokens = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, (_, i) =>
        jwt.sign({ tenantId: tenants[i % SESSIONS]!, userId: `bench-user-${i}`, roles: ['viewer'] }),
      ),
    );

    const relayChannel = `bench:fanout-relay:${process.pid}`;
    const relay = Child.start('bare relay', 'server', ['bare-relay'], {
      BENCH_CHANNEL: relayChannel,
      BENCH_ROOMS: String(SESSIONS),
      REDIS_URL: TEST_REDIS_URL,
    });
    children.push(relay);
    const { url: relayUrl } = (await relay.ready()) as { url: string };

    const clients = {
      service: Child.start('service clients', 'clients', [], {}, []),
      baseline: Child.start('baseline clients', 'clients', [], {}, []),
    };
    children.push(clients.service, clients.baseline);
    await Promise.all([clients.service.ready(), clients.baseline.ready()]);
    type Opened = { opened: number; failed: number; ms: number };
    const opened = {
      service: await clients.service.request<Opened>(
        'open',
        {
          kind: 'graphql-ws',
          url: `${serviceBase.replace(/^http/, 'ws')}/graphql`,
          count: SUBSCRIBERS,
          tokens,
          query: MESSAGE_LIVE,
          variablesList: sessions.map((sessionId) => ({ sessionId })),
          untilConnected: true,
          keyPath: KEY_PATH,
        },
        600_000,
      ),
      baseline: await clients.baseline.request<Opened>(
        'open',
        {
          kind: 'ws',
          url: relayUrl,
          urls: sessions.map((_, k) => `${relayUrl}/?room=${k}`),
          count: SUBSCRIBERS,
          keyPath: KEY_PATH,
        },
        600_000,
      ),
    };
    for (const side of ['service', 'baseline'] as const) {
      if (opened[side].failed > 0)
        notes.push(`${side}: ${opened[side].failed} of ${SUBSCRIBERS} sockets failed`);
    }

    // When each message is on Redis (publish + one hop), by key; and what the replica published.
    const serviceChannels = tenants.map((tenantId) => channelOf(Topic.MESSAGE_UPSERTED, tenantId));
    const relayChannels = sessions.map((_, k) => `${relayChannel}:${k}`);
    const observedAt = new Map<string, number>();
    const published = new Map<string, string>();
    /** FEED=redis: per service channel, the replica's payload with the key `lastKey`. */
    const templates = new Map<string, string>();
    const observer = new Redis(TEST_REDIS_URL);
    redis.push(observer);
    observer.on('message', (channel: string, message: string) => {
      const at = now();
      const parsed = JSON.parse(message) as Record<string, unknown>;
      const key = channel.startsWith(relayChannel)
        ? keyIn(parsed, ['payload', 'data', ...KEY_PATH])
        : keyIn(parsed, ['message', 'wahaId']);
      if (!key) return;
      observedAt.set(key, at);
      if (!channel.startsWith(relayChannel)) published.set(channel, message);
    });
    await observer.subscribe(...serviceChannels, ...relayChannels);
    const publisher = new Redis(TEST_REDIS_URL);
    redis.push(publisher);

    const sentAt = new Map<string, number>();
    let acked: number[] = [];
    let refused: Record<string, number> = {};
    let inFlight = 0;
    let settled: (() => void) | undefined;
    let baselineTemplate = '';
    let lastKey = '';
    const webhook = (k: number, key: string) => {
      const body = Buffer.from(eventBody(tenants[k]!, sessions[k]!, k, key));
      const signature = createHmac('sha512', hmacKey).update(body).digest('hex');
      inFlight++;
      sentAt.set(key, now());
      postSigned(agent, `${serviceBase}/webhooks/waha`, body, signature).then(({ status, text }) => {
        if (status >= 200 && status < 300) acked[k] = acked[k]! + 1;
        else {
          const answer = `${status} ${/"code":"(\w+)"/.exec(text)?.[1] ?? text.slice(0, 60)}`;
          refused[answer] = (refused[answer] ?? 0) + 1;
        }
        if (--inFlight === 0) settled?.();
      });
    };
    const publish = (channel: string, template: string, k: number, key: string) => {
      sentAt.set(key, now());
      void publisher.publish(channel, template.replaceAll(lastKey, key));
      acked[k] = acked[k]! + 1;
    };
    const fire = (side: Side, warm: boolean, key: string, k: number) => {
      if (side === 'baseline') return publish(relayChannels[k]!, baselineTemplate, k, key);
      if (FEED === 'redis' && !warm)
        return publish(serviceChannels[k]!, templates.get(serviceChannels[k]!)!, k, key);
      webhook(k, key);
    };

    let runs = 0;
    const runSide = async (side: Side, seconds: number, warm: boolean): Promise<Run> => {
      const server = side === 'service' ? service : relay;
      const swarm = clients[side];
      const runPrefix = `${warm ? 'w' : side[0]}${String(++runs).padStart(3, '0')}`;
      acked = sessions.map(() => 0);
      refused = {};
      sentAt.clear();
      observedAt.clear();
      const cpu0 = await server.request<Cpu>('cpu');
      const [client0, machine0] = [cpuMsOf(swarm.pid), machineTicks()];
      // One event per session per second, spread evenly; a late tick catches up at once.
      const t0 = now();
      for (let n = 0; n < seconds * SESSIONS; n++) {
        const wait = t0 + (n * 1000) / SESSIONS - now();
        if (wait >= 1) await sleep(wait);
        fire(side, warm, keyOf(n % SESSIONS, runPrefix, n), n % SESSIONS);
      }
      const cpu1 = await server.request<Cpu>('cpu');
      const [client1, machine1] = [cpuMsOf(swarm.pid), machineTicks()];
      if (inFlight > 0) await new Promise<void>((resolve) => (settled = resolve));
      settled = undefined;
      const firstKey = keyOf(0, runPrefix, 0);
      const sample = side === 'service' ? await swarm.request('sample', { key: firstKey }) : null;
      const expected = Array.from({ length: SUBSCRIBERS }, (_, i) => acked[i % SESSIONS]!);
      const total = expected.reduce((a, b) => a + b, 0);
      const got = await swarm.request<Receipts>(
        'receipts',
        { expected: total, timeoutMs: GRACE_MS },
        300_000,
      );
      const fromPublish: number[] = [];
      const fromSend: number[] = [];
      let delivered = 0;
      const worstBySecond: number[] = []; // BENCH_VERBOSE: a stall shows as a few bad seconds
      for (const [key, times] of Object.entries(got.byKey)) {
        const [sent, observed] = [sentAt.get(key), observedAt.get(key)];
        if (sent === undefined) continue; // a straggler of an earlier run
        delivered += times.length;
        const second = Math.floor((sent - t0) / 1000);
        for (const t of times) {
          fromSend.push(t - sent);
          if (observed !== undefined) fromPublish.push(t - observed);
          worstBySecond[second] = Math.max(worstBySecond[second] ?? 0, t - sent);
        }
      }
      if (process.env['BENCH_VERBOSE'] && !warm) {
        console.error(
          `  ${side} ${runPrefix} worst ms per second sent:`,
          worstBySecond.map(Math.round).join(' '),
        );
      }
      const drops = expected.map((e, i) => Math.max(0, e - (got.perSocket[i] ?? 0)));
      const wall = cpu1.at - cpu0.at;
      return {
        cpuPct: (((cpu1.user + cpu1.system - cpu0.user - cpu0.system) / 1000 / wall) * 100) / CORES,
        clientCpuPct: (((client1 - client0) / wall) * 100) / CORES,
        machinePct: ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100,
        fromPublish: percentiles(fromPublish),
        fromSend: percentiles(fromSend),
        delivered,
        expected: total,
        dropped: drops.reduce((a, b) => a + b, 0),
        droppedSubscribers: drops.filter((d) => d > 0).length,
        worstDropped: Math.max(...drops),
        refused,
        firstKey,
        sample,
      };
    };

    // Warm-up: the service first (its subscriptions go live as the replica gets to them, and its
    // first delivered message shapes the baseline's), each side until a run drops nothing.
    let warmStarted = now();
    const warmSide = async (side: Side) => {
      for (let attempt = 1; attempt <= WARMUP_TRIES; attempt++) {
        const run = await runSide(side, WARMUP_SECONDS, true);
        if (side === 'service' && run.sample) {
          lastKey = run.firstKey;
          baselineTemplate = JSON.stringify({
            id: '00000000-0000-4000-8000-000000000000',
            type: 'next',
            payload: { data: run.sample },
          });
        }
        if (run.dropped === 0 && run.expected > 0) {
          notes.push(
            `${side}: warm after ${attempt} run(s) of ${WARMUP_SECONDS} s, ${fmt((now() - warmStarted) / 1000, 0)} s`,
          );
          return;
        }
      }
      notes.push(`${side}: still dropping after ${WARMUP_TRIES} warm-up runs`);
    };
    await warmSide('service');
    if (FEED === 'redis') {
      // Every session's template: what the replica published last for it, the key swapped.
      const replaced = serviceChannels.map((channel) => published.get(channel) ?? '');
      const missing = replaced.filter((message) => !message).length;
      if (missing > 0) throw new Error(`live-fanout: no published message seen for ${missing} sessions`);
      serviceChannels.forEach((channel, k) => {
        const key = keyIn(JSON.parse(replaced[k]!) as Record<string, unknown>, ['message', 'wahaId'])!;
        templates.set(channel, replaced[k]!.replaceAll(key, lastKey));
      });
    }
    if (!baselineTemplate)
      throw new Error('live-fanout: the service delivered nothing to shape the baseline from');
    warmStarted = now();
    await warmSide('baseline');

    const rounds: Record<Side, Run>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order: Side[] = r % 2 ? ['service', 'baseline'] : ['baseline', 'service'];
      const round = {} as Record<Side, Run>;
      for (const side of order) round[side] = await runSide(side, SECONDS, false);
      rounds.push(round);
      if (process.env['BENCH_VERBOSE']) console.error(`  round ${r + 1}:`, JSON.stringify(round, dropSample));
    }
    return report(rounds, opened, baselineTemplate.length, notes, started);
  } finally {
    agent.destroy();
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    for (const client of redis) client.disconnect();
    await pool?.end().catch(() => undefined);
    await db.drop().catch((error: unknown) => console.error(`bench: dropping ${db.name} failed`, error));
  }
}
