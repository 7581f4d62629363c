/**
 * Target 1: a QR written back by n8n reaches a dashboard subscribed on ANOTHER replica with p99
 * latency within 2x of a bare Redis-to-WebSocket relay, with 1,000 live subscribers.
 *
 * Service (the real path): two replicas of the service, each in its own process (server.js
 * service), on one database and the shared Redis. 1,000 graphql-ws clients (clients.js, a third
 * process) subscribe on replica B with the dashboard's own subscription (README, "Live updates":
 * `whatsappSessionUpdated(id)` with the QR's pngDataUrl), each with its own JWT in
 * connection_init. The orchestrator (this process) then sends n8n's write-back `reportQr` to
 * replica A's /internal/graphql, one QR value at a time, and waits until every subscriber has it.
 * Replica A runs the mutation (key check, a DB transaction, the PUBLISH); replica B receives it
 * from Redis, converts it once, renders the QR PNG once, executes the selection and serializes a
 * `next` message per socket.
 *
 * Baseline (bare relay): one process (server.js bare-relay) with one ioredis subscriber and a
 * `ws` WebSocketServer that sends each Redis message, as it came, to every socket; 1,000 bare
 * `ws` clients in a clients.js process. The orchestrator PUBLISHes a message that is byte for
 * byte the `next` message the service sent for a QR (shaped from a received sample), so both
 * sides move and parse the same bytes per socket.
 *
 * Latency is per subscriber and per QR: the client process's receipt time minus a start time
 * taken in the orchestrator (one system-wide monotonic clock, see support.now()). Two start points:
 *  - from send: just before the HTTP write-back (service) or the PUBLISH call (baseline). The
 *    target's figure: for the service it includes the HTTP request, the mutation's transaction and
 *    the publish, which the bare relay has none of.
 *  - from Redis: when an extra Redis subscriber in the orchestrator sees the message on the
 *    channel (≈ the publish plus one Redis hop) — the fan-out alone, like for like.
 * Clients timestamp on receipt, before their own work; 1,000 sockets are still read one after
 * another by one client process, on both sides alike. Rounds alternate baseline and service,
 * all processes up at once, so both see the same machine.
 */
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtService } from '../../src/auth/jwt.service.js';
import { channelOf, Topic } from '../../src/realtime/topics.js';
import { testConfig, TEST_REDIS_URL } from '../support/env.js';
import {
  type BenchReport,
  Child,
  fmt,
  fmtSpread,
  gql,
  now,
  percentiles,
  type Percentiles,
  spread,
} from './support.js';
import { createBenchDatabase } from './database.js';

const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 1000);
const REPORTS = Number(process.env['BENCH_REPORTS'] ?? 40);
const WARMUP = 5;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const RECEIPT_TIMEOUT_MS = 10_000;
const PAUSE_MS = 25;

/** The dashboard's subscription (README, "Live updates"). */
export const SESSION_LIVE = `subscription SessionLive($id: ID!) {
  whatsappSessionUpdated(id: $id) {
    deleted
    session {
      id status
      qr { value pngDataUrl expiresAt sequence }
      pairingCode { code expiresAt }
      me { wahaId pushName }
      lastError { message at }
    }
  }
}`;
const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }`;
const REPORT_QR = `mutation($input: ReportQrInput!) { reportQr(input: $input) { id } }`;
const PLACEHOLDER = '__BENCH_KEY__';

interface Round {
  fromSend: Percentiles;
  fromRedis: Percentiles;
  /** Service only: the write-back's HTTP round trip, median ms. */
  httpMs: number;
  lost: number;
}

export async function qrLatency(): Promise<BenchReport> {
  const started = now();
  const db = await createBenchDatabase();
  const children: Child[] = [];
  const redis: Redis[] = [];
  const notes: string[] = [];
  try {
    // --- The service: replicas A (write-back) and B (subscribers), clients on B.
    const env = { BENCH_DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL };
    const a = Child.start('replica A', 'server', ['service'], { ...env, BENCH_MIGRATE: 'true' });
    children.push(a);
    const { url: aUrl, internalKey } = (await a.ready()) as { url: string; internalKey: string };
    const b = Child.start('replica B', 'server', ['service'], env);
    children.push(b);
    const { url: bUrl } = (await b.ready()) as { url: string };

    const tenantId = await a.request<string>('tenant', { slug: 'bench-qr' });
    const jwt = new JwtService(testConfig());
    const tokens = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, (_, i) =>
        jwt.sign({ tenantId, userId: `bench-user-${i}`, roles: ['viewer'] }),
      ),
    );
    const created = await gql<{ createWhatsappSession: { id: string } }>(
      `${aUrl}/graphql`,
      CREATE,
      { input: { displayName: 'Bench QR' } },
      { authorization: `Bearer ${await jwt.sign({ tenantId, userId: 'bench-admin', roles: ['admin'] })}` },
    );
    const sessionId = created.createWhatsappSession.id;

    const serviceClients = Child.start('service clients', 'clients', [], {}, []);
    children.push(serviceClients);
    await serviceClients.ready();
    const opened = await serviceClients.request<{ opened: number; failed: number; ms: number }>('open', {
      kind: 'graphql-ws',
      url: `${bUrl.replace(/^http/, 'ws')}/graphql`,
      count: SUBSCRIBERS,
      tokens,
      query: SESSION_LIVE,
      variables: { id: sessionId },
    });
    if (opened.failed > 0) notes.push(`service: ${opened.failed} of ${SUBSCRIBERS} subscriptions failed`);

    // --- An observer on both channels: when each message is on Redis.
    const serviceChannel = channelOf(Topic.SESSION_UPDATED, tenantId);
    const baselineChannel = `bench:qr-relay:${process.pid}`;
    const observedAt = new Map<string, number>();
    const observer = new Redis(TEST_REDIS_URL);
    redis.push(observer);
    observer.on('message', (channel: string) => observedAt.set(channel, now()));
    await observer.subscribe(serviceChannel, baselineChannel);
    const publisher = new Redis(TEST_REDIS_URL);
    redis.push(publisher);

    let seq = 0;
    const serviceReport = async (key: string) => {
      observedAt.delete(serviceChannel);
      const t0 = now();
      await gql(
        `${aUrl}/internal/graphql`,
        REPORT_QR,
        { input: { sessionId, value: key } },
        { 'x-internal-key': internalKey },
      );
      const http = now() - t0;
      const times = await serviceClients.request<number[]>('await', {
        key,
        count: SUBSCRIBERS,
        timeoutMs: RECEIPT_TIMEOUT_MS,
      });
      return { t0, http, times, observed: observedAt.get(serviceChannel) };
    };

    // Warm both replicas' paths, then shape the baseline's payload from what the service sent.
    let lastKey = '';
    for (let i = 0; i < WARMUP; i++) {
      lastKey = `bench-warm-${++seq}`;
      await serviceReport(lastKey);
      await sleep(PAUSE_MS);
    }
    const sample = await serviceClients.request<unknown>('sample', { key: lastKey });
    const template = JSON.stringify({
      id: '00000000-0000-4000-8000-000000000000',
      type: 'next',
      payload: { data: sample },
    }).replace(lastKey, PLACEHOLDER);

    // --- The baseline: a bare relay and its clients.
    const relay = Child.start('bare relay', 'server', ['bare-relay'], {
      BENCH_CHANNEL: baselineChannel,
      REDIS_URL: TEST_REDIS_URL,
    });
    children.push(relay);
    const { url: relayUrl } = (await relay.ready()) as { url: string };
    const baselineClients = Child.start('baseline clients', 'clients', [], {}, []);
    children.push(baselineClients);
    await baselineClients.ready();
    const bareOpened = await baselineClients.request<{ failed: number }>('open', {
      kind: 'ws',
      url: relayUrl,
      count: SUBSCRIBERS,
    });
    if (bareOpened.failed > 0) notes.push(`baseline: ${bareOpened.failed} sockets failed to open`);

    const baselineReport = async (key: string) => {
      const message = template.replace(PLACEHOLDER, key);
      observedAt.delete(baselineChannel);
      const t0 = now();
      await publisher.publish(baselineChannel, message);
      const times = await baselineClients.request<number[]>('await', {
        key,
        count: SUBSCRIBERS,
        timeoutMs: RECEIPT_TIMEOUT_MS,
      });
      return { t0, http: NaN, times, observed: observedAt.get(baselineChannel) };
    };
    for (let i = 0; i < WARMUP; i++) {
      await baselineReport(`bench-warm-${++seq}`);
      await sleep(PAUSE_MS);
    }

    const runRound = async (
      report: (key: string) => Promise<{ t0: number; http: number; times: number[]; observed?: number }>,
    ): Promise<Round> => {
      const fromSend: number[] = [];
      const fromRedis: number[] = [];
      const http: number[] = [];
      let lost = 0;
      for (let i = 0; i < REPORTS; i++) {
        const { t0, http: h, times, observed } = await report(`bench-qr-${++seq}`);
        lost += SUBSCRIBERS - times.length;
        http.push(h);
        for (const t of times) {
          fromSend.push(t - t0);
          if (observed !== undefined) fromRedis.push(t - observed);
        }
        await sleep(PAUSE_MS);
      }
      return {
        fromSend: percentiles(fromSend),
        fromRedis: percentiles(fromRedis),
        httpMs: percentiles(http).p50,
        lost,
      };
    };

    const baseline: Round[] = [];
    const service: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      baseline.push(await runRound(baselineReport));
      service.push(await runRound(serviceReport));
    }

    const lost = { baseline: sum(baseline.map((r) => r.lost)), service: sum(service.map((r) => r.lost)) };
    if (lost.baseline + lost.service > 0) {
      notes.push(
        `lost (not received within ${RECEIPT_TIMEOUT_MS} ms): baseline ${lost.baseline}, service ${lost.service}`,
      );
    }
    const ratio = spread(service.map((s, i) => s.fromSend.p99 / baseline[i]!.fromSend.p99));
    const fanoutRatio = spread(service.map((s, i) => s.fromRedis.p99 / baseline[i]!.fromRedis.p99));
    const row = (figure: string, pick: (r: Round) => number, withRatio = true) => {
      const bs = spread(baseline.map(pick));
      const sv = spread(service.map(pick));
      return {
        figure,
        baseline: fmtSpread(bs),
        service: fmtSpread(sv),
        ratio: withRatio ? fmtSpread(spread(service.map((s, i) => pick(s) / pick(baseline[i]!)))) : '',
      };
    };
    notes.push(
      `${SUBSCRIBERS} subscribers on replica B (${fmt(opened.ms / 1000, 1)} s to subscribe), ` +
        `${REPORTS} QRs per round x ${ROUNDS} rounds, message ${template.length - PLACEHOLDER.length + lastKey.length} B; ` +
        `fan-out ratio p99(from Redis) ${fmtSpread(fanoutRatio)}; ${fmt((now() - started) / 1000, 0)} s in all`,
    );
    return {
      name: 'qr-latency',
      target: 'QR write-back on A -> 1,000 subscribers on B: p99 <= 1.5x bare Redis->ws relay (issue 15)',
      ratio,
      limit: 1.5,
      rows: [
        row('p50 ms, from send', (r) => r.fromSend.p50),
        row('p95 ms, from send', (r) => r.fromSend.p95),
        row('p99 ms, from send (target)', (r) => r.fromSend.p99),
        row('p50 ms, from Redis', (r) => r.fromRedis.p50),
        row('p99 ms, from Redis (fan-out)', (r) => r.fromRedis.p99),
        {
          figure: 'write-back HTTP round trip, ms',
          baseline: '-',
          service: fmtSpread(spread(service.map((r) => r.httpMs))),
          ratio: '',
        },
      ],
      notes,
    };
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    for (const client of redis) client.disconnect();
    await db.drop().catch((error: unknown) => console.error(`bench: dropping ${db.name} failed`, error));
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
