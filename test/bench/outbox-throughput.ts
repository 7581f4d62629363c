/**
 * Target 4 (issue 15): the transactional outbox delivers RATE (500) commands/s for SECONDS (60) to
 * a fake n8n on 127.0.0.1 answering like n8n's Webhook node ("respond immediately"); lag (commit →
 * n8n's receipt) p50/p99 < 100 ms, nothing lost or doubled, each session's commands in order;
 * with one replica and with two on one database. README section 4 has the whole method.
 *
 * The commands are message.received over SESSIONS sessions, round robin, a session's next after
 * its previous commit. PRODUCER 'enqueue' (default): each replica writes its share of the sessions
 * through OutboxService.enqueue in a transaction of its own, then wakes its dispatcher, as every
 * writer does; commit time = right after the commit. PRODUCER 'webhook' (the real write path,
 * which does not sustain 500/s here): WAHA `message` events to POST /webhooks/waha, each committed
 * by the ingest statement; its commit is bracketed by the send (lag ≥ true: the verdict's figure)
 * and the 2xx (lag ≤ true). Baseline (outbox-actors.js bare): one INSERT per command, its commit
 * time right after, and a poller (SELECT … FOR UPDATE SKIP LOCKED, POST, UPDATE, COMMIT).
 *
 * Receipt times are the fake n8n's (process.hrtime, one clock for all processes). Each
 * configuration first runs WARMUP seconds at RATE, drained and not in the figures, so the measured
 * run starts warm and empty. Lost, doubled and out of order count every command (lost: committed,
 * never received once drained; doubled: receipts beyond one per commandId, or two commands for one
 * event; out of order: a receipt after a later command of its session). Rounds alternate the
 * order of the configurations.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg, { type Pool } from 'pg';
import { TEST_REDIS_URL } from '../support/env.js';
import { createBenchDatabase } from './database.js';
import { cpuMsOf, machineTicks } from './live-fanout-support.js';
import { type ProducerRun } from './outbox-actors.js';
import {
  DRAIN_TIMEOUT_MS,
  PRODUCER,
  RATE,
  REPLICAS,
  report,
  ROUNDS,
  type Run,
  SECONDS,
  SESSIONS,
  WARMUP,
} from './outbox-report.js';
import { type BenchReport, Child, cpuProfileArgs, fmt, now, percentiles } from './support.js';

const CHATS = 4;
const ME = '4915100000000@c.us';

type Receipt = [at: number, run: number, s: number, n: number, commandId: string];
/** A producer's row: lag is from `from` (the commit; 'webhook': the send) and from `acked` (the 2xx). */
type Sent = [s: number, n: number, scheduled: number, from: number, acked: number, ok: number];

/** The figures of one run from what was sent, what n8n received and what the database holds. */
function analyze(sent: Sent[], receipts: Receipt[], rows: { s: number; n: number }[], service: boolean): Run {
  const key = (s: number, n: number) => s * 1_000_000 + n;
  const count = new Map<string, number>();
  const first = new Map<number, { at: number; ids: Set<string> }>();
  for (const [at, , s, n, id] of receipts) {
    count.set(id, (count.get(id) ?? 0) + 1);
    const k = key(s, n);
    const seen = first.get(k);
    if (!seen) first.set(k, { at, ids: new Set([id]) });
    else {
      seen.ids.add(id);
      seen.at = Math.min(seen.at, at);
    }
  }
  let doubled = 0;
  for (const c of count.values()) doubled += c - 1;
  for (const { ids } of first.values()) doubled += ids.size - 1;
  const ok = sent.filter((x) => x[5] === 1);
  const expected = new Set([...ok.map((x) => key(x[0], x[1])), ...rows.map((r) => key(r.s, r.n))]);
  const lost = [...expected].filter((k) => !first.has(k)).length;
  // Per session, in order of receipt: a command that comes after a later one of its session.
  let disorder = 0;
  const bySession = new Map<number, { at: number; n: number }[]>();
  for (const [k, { at }] of first) {
    const s = Math.floor(k / 1_000_000);
    let list = bySession.get(s);
    if (!list) bySession.set(s, (list = []));
    list.push({ at, n: k % 1_000_000 });
  }
  for (const list of bySession.values()) {
    let highest = -1;
    for (const { n } of list.sort((a, b) => a.at - b.at)) {
      if (n < highest) disorder++;
      highest = Math.max(highest, n);
    }
  }
  const lag: number[] = [];
  const lagAck: number[] = [];
  let lastAt = -Infinity;
  for (const [s, n, , from, acked] of ok) {
    const got = first.get(key(s, n));
    if (!got) continue;
    lag.push(got.at - from);
    lagAck.push(got.at - acked);
    lastAt = Math.max(lastAt, got.at);
  }
  // (reduce, not Math.min(...): a long run has more rows than a call takes arguments)
  const start = ok.reduce((t, x) => Math.min(t, x[2]), Infinity);
  return {
    writeRate: (ok.length * 1000) / (ok.reduce((t, x) => Math.max(t, x[4]), -Infinity) - start),
    deliverRate: (lag.length * 1000) / (lastAt - start),
    lag: percentiles(lag),
    lagAck: service ? percentiles(lagAck) : undefined,
    lateP99: percentiles(sent.map((x) => x[3] - x[2])).p99,
    lost,
    doubled,
    disorder,
    refused: sent.length - ok.length,
    ...{ cpu: 0, pgCpu: 0, machine: 0 },
    drainMs: 0,
  };
}

export async function outboxThroughput(): Promise<BenchReport> {
  const started = now();
  const db = await createBenchDatabase();
  const children: Child[] = [];
  const notes: string[] = [];
  let pool: Pool | undefined;
  try {
    const fake = Child.start('fake n8n', 'outbox-actors', ['fake-n8n'], {}, []);
    children.push(fake);
    const { url: n8nUrl } = (await fake.ready()) as { url: string };
    const replicaEnv = { BENCH_DATABASE_URL: db.url, BENCH_N8N_URL: n8nUrl, REDIS_URL: TEST_REDIS_URL };
    const startReplica = async (name: string, migrate: boolean) => {
      const env = { ...replicaEnv, BENCH_MIGRATE: String(migrate) };
      const replica = Child.start(name, 'outbox-actors', ['service'], env, cpuProfileArgs(name), 'ignore');
      children.push(replica);
      const { url } = (await replica.ready()) as { url: string };
      return { replica, url };
    };
    const a = await startReplica('replica A', true);
    const tenantId = await a.replica.request<string>('tenant', { slug: 'bench-outbox' });

    pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'bench-orchestrator' });
    const sessionIds = Array.from({ length: SESSIONS }, (_, s) => `ws_bench_outbox_${s}`);
    const keys = sessionIds.map(() => randomBytes(32).toString('hex'));
    for (const [s, id] of sessionIds.entries()) {
      await pool.query(
        `insert into whatsapp_sessions (id, tenant_id, display_name, auth_method, status, me_id, me_push_name,
          webhook_hmac_key, created_at, updated_at, created_by, updated_by)
         values ($1, $2, $3, 'QR', 'WORKING', $4, 'Bench Shop', $5, now(), now(), 'bench', 'bench')`,
        [id, tenantId, `Bench outbox ${s}`, ME, keys[s]],
      );
    }
    await pool.query(
      `create table bench_outbox (id bigserial primary key, run int not null, session_id varchar(54) not null,
        seq int not null, payload jsonb not null, created_at timestamptz not null default now(), delivered_at timestamptz)`,
    );
    await pool.query(`create index bench_outbox_undelivered on bench_outbox (id) where delivered_at is null`);

    const bareEnv = { BENCH_DATABASE_URL: db.url, BENCH_N8N_URL: n8nUrl, BENCH_TENANT_ID: tenantId };
    const bare = Child.start(
      'bare outbox',
      'outbox-actors',
      ['bare'],
      bareEnv,
      cpuProfileArgs('bare outbox'),
    );
    const producer = Child.start('webhook producer', 'outbox-actors', ['webhooks'], {}, []);
    children.push(bare, producer);
    await Promise.all([bare.ready(), producer.ready()]);

    let [runNo, strays] = [0, 0];
    /** The commands a run wrote, as the database has them, by the marker in their text. */
    const rowsOf = async (config: number | 'baseline', run: number) =>
      (
        await pool!.query<{ s: number; n: number }>(
          `select m[1]::int as s, m[2]::int as n
             from (select regexp_match(payload->>'body', '\\[bench r\\d+ s(\\d+) n(\\d+)\\]') as m from ${
               config === 'baseline'
                 ? 'bench_outbox where run = $1::int'
                 : `outbox_commands where type = 'message.received' and payload->>'body' like $1`
             }) x`,
          [config === 'baseline' ? run : `%[bench r${run} %`],
        )
      ).rows;

    const runOnce = async (config: number | 'baseline'): Promise<Run> => {
      // Replicas B, C, … run for this configuration only (one replica must mean one dispatcher).
      const extra: { replica: Child; url: string }[] = [];
      for (let k = 1; config !== 'baseline' && k < config; k++) {
        extra.push(await startReplica(`replica ${String.fromCharCode(65 + k)}`, false));
      }
      const replicas = [a, ...extra];
      const servers = config === 'baseline' ? [bare] : replicas.map((x) => x.replica);
      const undelivered = async () =>
        (
          await pool!.query<{ n: number }>(
            config === 'baseline'
              ? `select count(*)::int as n from bench_outbox where delivered_at is null`
              : `select count(*)::int as n from outbox_commands where status = 'PENDING'`,
          )
        ).rows[0]!.n;
      /** CPU so far of the PostgreSQL backends serving this side (the baseline's pool names itself). */
      const backends = async () => {
        const { rows: pids } = await pool!.query<{ pid: number }>(
          `select pid from pg_stat_activity where datname = current_database() and application_name ${
            config === 'baseline' ? "= 'bench-baseline'" : "not like 'bench-%'"
          }`,
        );
        return new Map(pids.flatMap(({ pid }) => (existsSync(`/proc/${pid}`) ? [[pid, cpuMsOf(pid)]] : [])));
      };
      /** One run of the producer, then until the outbox has delivered all it holds. */
      const produce = async (seconds: number) => {
        const run = ++runNo;
        const r: ProducerRun = {
          ...{ run, rate: RATE, count: Math.round(seconds * RATE), sessions: SESSIONS, t0: 0, part: [0, 1] },
          ...{ urls: replicas.map((x) => x.url), keys, sessionIds, tenantId, me: ME, chats: CHATS },
        };
        const timeoutMs = seconds * 1000 + 120_000;
        // enqueue: each replica writes its share of the sessions, on one schedule.
        const t0 = now() + 300;
        const sent =
          config === 'baseline' || PRODUCER === 'webhook'
            ? await (config === 'baseline' ? bare : producer).request<Sent[]>('run', { ...r }, timeoutMs)
            : (
                await Promise.all(
                  replicas.map(({ replica }, k) =>
                    replica.request<Sent[]>('produce', { ...r, t0, part: [k, config] }, timeoutMs),
                  ),
                )
              ).flat();
        const produced = now();
        while ((await undelivered()) > 0 && now() - produced < DRAIN_TIMEOUT_MS) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const drainMs = now() - produced;
        // Not drained in time: what is left counts as not delivered, and is set aside (DEAD) so the
        // next run starts empty rather than behind this one's queue.
        if (drainMs >= DRAIN_TIMEOUT_MS && config !== 'baseline') {
          await pool!.query(`update outbox_commands set status = 'DEAD' where status = 'PENDING'`);
        }
        const receipts = await fake.request<Receipt[]>('take');
        const mine = receipts.filter((r) => r[1] === run);
        strays += receipts.length - mine.length;
        return { sent, receipts: mine, rows: await rowsOf(config, run), drainMs };
      };
      // Warm-up: JIT, pools, a fresh database's first rows; drained before the measured run starts.
      const warm = await produce(WARMUP);
      const cpu0 = servers.map((c) => cpuMsOf(c.pid));
      const [m0, pg0] = [machineTicks(), await backends()];
      const t0 = now();
      const { sent, receipts, rows, drainMs } = await produce(SECONDS);
      const elapsed = now() - t0;
      const [m1, pg1] = [machineTicks(), await backends()];
      const cpu = servers.reduce((sum, c, i) => sum + cpuMsOf(c.pid) - cpu0[i]!, 0);
      for (const x of extra) await x.replica.stop(30_000);
      const service = config !== 'baseline' && PRODUCER === 'webhook';
      const warmed = analyze(warm.sent, warm.receipts, warm.rows, service);
      const result = analyze(sent, receipts, rows, service);
      for (const field of ['lost', 'doubled', 'disorder', 'refused'] as const) result[field] += warmed[field];
      result.cpu = (cpu / elapsed) * 100;
      result.pgCpu = ([...pg1].reduce((sum, [pid, ms]) => sum + ms - (pg0.get(pid) ?? 0), 0) / elapsed) * 100;
      result.machine = ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100;
      result.drainMs = drainMs;
      const { lag, lagAck } = result;
      const ack = lagAck ? ` (2xx ${fmt(lagAck.p50)}/${fmt(lagAck.p99)})` : '';
      if (process.env['BENCH_VERBOSE'])
        console.error(`  ${config}: p50/p99 ${fmt(lag.p50)}/${fmt(lag.p99)}${ack}`, result);
      return result;
    };

    const configs: (number | 'baseline')[] = ['baseline', ...REPLICAS];
    const rounds: Map<number | 'baseline', Run>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = new Map<number | 'baseline', Run>();
      for (const config of r % 2 ? [...configs].reverse() : configs) round.set(config, await runOnce(config));
      rounds.push(round);
    }
    return report(rounds, notes, strays, started);
  } finally {
    for (const child of children.reverse()) await child.stop(30_000).catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await db.drop().catch((error: unknown) => console.error(`bench: dropping ${db.name} failed`, error));
  }
}
