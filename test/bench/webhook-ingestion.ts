/**
 * Target 3 (issue 15, target 1): webhook ingestion (HMAC, dedupe, store, publish) sustains at
 * least the rate of a minimal Node server doing HMAC plus one INSERT per event, losing nothing,
 * at 16, 64 and 256 concurrent senders, with the p99 of send -> 2xx within 2x of the bare
 * server's at the same load.
 *
 * Service (the real path): one replica (server.js service, as main.ts builds it, with Redis and
 * request logging at info as in production, stdout discarded) and a session linked to it the way
 * WAHA would know it: a tenant and a WORKING whatsapp_sessions row written straight into its
 * database with a known webhook_hmac_key. Each event goes through POST /webhooks/waha: HMAC of
 * the raw body with the session's key, the dedupe row in webhook_events, the chat upsert, the
 * message, its message.received outbox command (one commit), then the publish to Redis.
 *
 * Baseline (server.js bare-webhook): node:http, raw body, hex HMAC-SHA512 with the same key,
 * JSON.parse, ONE INSERT per event (`pg` Pool, 10 connections like the service's ORM pool),
 * 200 after it. Both sides pay one commit (one fsync) per event.
 *
 * Load (webhook-load.js, a process of its own): the same realistic WAHA `message` events on both
 * sides (inbound, distinct ids, a few chats), signed before the clock starts, sent by N
 * concurrent keep-alive clients, one request at a time each, no retries. Per run: events/s =
 * events / wall time. After each run the rows are counted (service: webhook_events, messages
 * and message.received commands of the run; baseline: its table) and compared with the events
 * answered 2xx: a 2xx without its rows is LOST.
 *
 * Rounds alternate which side goes first; every concurrency level runs on both sides in every
 * round, all processes up throughout. The target's figure per round is the service/baseline
 * events/s ratio at the worst of the concurrency levels.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg, { type Pool } from 'pg';
import { TEST_REDIS_URL } from '../support/env.js';
import { createBenchDatabase } from './database.js';
import { type BenchReport, Child, fmt, fmtSpread, now, spread } from './support.js';
import { type RunResult } from './webhook-load.js';

const EVENTS = Number(process.env['BENCH_WEBHOOK_EVENTS'] ?? 2000);
const CONCURRENCY = (process.env['BENCH_WEBHOOK_CONCURRENCY'] ?? '16,64,256').split(',').map(Number);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const WARMUP = 300;
const CHATS = Number(process.env['BENCH_WEBHOOK_CHATS'] ?? 8);
const SESSION_ID = 'ws_bench_webhooks';
const ME = '4915100000000@c.us';

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Run {
  rate: number;
  /** The server process's CPU per event, ms. */
  cpuMs: number;
  /** CPU per event of the PostgreSQL backends serving that server, ms. */
  pgCpuMs: number;
  /** WAL written per event, bytes (server-wide: other databases' writes meanwhile count too). */
  walBytes: number;
  acked: number;
  lost: number;
  refused: number;
  /** Send -> 2xx, ms. */
  p50: number;
  p99: number;
}

export async function webhookIngestion(): Promise<BenchReport> {
  const started = now();
  const db = await createBenchDatabase();
  const children: Child[] = [];
  const notes: string[] = [];
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
      // BENCH_CPU_PROF=<dir>: Child.start adds the flags for the service's V8 CPU profile.
      ['--expose-gc'],
      'ignore',
    );
    children.push(service);
    const { url: serviceBase } = (await service.ready()) as { url: string };
    const tenantId = await service.request<string>('tenant', { slug: 'bench-webhooks' });

    // The session as it is once linked: WORKING, with the key WAHA signs its events with.
    const key = randomBytes(32).toString('hex');
    pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'bench-orchestrator' });
    await pool.query(
      `insert into whatsapp_sessions (id, tenant_id, display_name, auth_method, status, me_id, me_push_name,
        webhook_hmac_key, created_at, updated_at, created_by, updated_by)
       values ($1, $2, 'Bench webhooks', 'QR', 'WORKING', $3, 'Bench Shop', $4, now(), now(), 'bench', 'bench')`,
      [SESSION_ID, tenantId, ME, key],
    );
    await pool.query(
      `create table bench_webhook_baseline (id varchar(100) primary key, session varchar(54) not null,
        event varchar(40) not null, occurred_at timestamptz not null, payload jsonb not null, received_at timestamptz not null)`,
    );

    const baseline = Child.start('bare webhook', 'server', ['bare-webhook'], {
      BENCH_DATABASE_URL: db.url,
      BENCH_HMAC_KEY: key,
    });
    children.push(baseline);
    const { url: baselineUrl } = (await baseline.ready()) as { url: string };
    const load = Child.start('webhook load', 'webhook-load', [], {}, []);
    children.push(load);
    await load.ready();

    const counts = async (side: 'service' | 'baseline', prefix: string): Promise<number> => {
      const like = `${prefix}\\_%`;
      if (side === 'baseline') {
        const { rows } = await pool!.query<{ n: number }>(
          `select count(*)::int as n from bench_webhook_baseline where id like $1`,
          [like],
        );
        return rows[0]!.n;
      }
      const { rows } = await pool!.query<{ events: number; messages: number; commands: number }>(
        `select (select count(*) from webhook_events where id like $1)::int as events,
          (select count(*) from messages where session_id = $3 and waha_id like $2)::int as messages,
          (select count(*) from outbox_commands where type = 'message.received' and session_id = $3
            and payload->>'messageId' like $2)::int as commands`,
        [like, `%\\_3EB0${prefix.toUpperCase()}%`, SESSION_ID],
      );
      const row = rows[0]!;
      if (row.events !== row.messages || row.events !== row.commands) {
        notes.push(
          `${prefix}: webhook_events ${row.events}, messages ${row.messages}, message.received ${row.commands} differ`,
        );
      }
      return Math.min(row.events, row.messages, row.commands);
    };

    // The PostgreSQL backends of one side (the baseline's pool names itself; the rest is the service's).
    const backendsCpu = async (side: 'service' | 'baseline'): Promise<Map<number, number>> => {
      const { rows } = await pool!.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
          and application_name not in ('bench-orchestrator', 'bench-baseline')`.replace(
          "not in ('bench-orchestrator', 'bench-baseline')",
          side === 'baseline' ? "= 'bench-baseline'" : "not in ('bench-orchestrator', 'bench-baseline')",
        ),
      );
      const cpu = new Map<number, number>();
      for (const { pid } of rows) {
        try {
          cpu.set(pid, cpuMsOf(pid));
        } catch {
          // ended meanwhile
        }
      }
      return cpu;
    };
    const cpuSince = (before: Map<number, number>, after: Map<number, number>) =>
      [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

    const walLsn = async (): Promise<number> => {
      const { rows } = await pool!.query<{ at: string }>(
        `select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as at`,
      );
      return Number(rows[0]!.at);
    };

    let seq = 0;
    const runOnce = async (
      side: 'service' | 'baseline',
      concurrency: number,
      count: number,
    ): Promise<Run> => {
      const prefix = `evt_${side[0]}${++seq}c${concurrency}`;
      const server = side === 'service' ? service : baseline;
      const cpu0 = cpuMsOf(server.pid);
      const pg0 = await backendsCpu(side);
      const wal0 = await walLsn();
      const result = await load.request<RunResult>(
        'run',
        {
          url: side === 'service' ? `${serviceBase}/webhooks/waha` : baselineUrl,
          key,
          sessionId: SESSION_ID,
          tenantId,
          me: ME,
          prefix,
          count,
          concurrency,
          chats: CHATS,
        },
        300_000,
      );
      const cpuMs = (cpuMsOf(server.pid) - cpu0) / count;
      const pgCpuMs = cpuSince(pg0, await backendsCpu(side)) / count;
      const walBytes = (await walLsn()) - wal0;
      const stored = await counts(side, prefix);
      const refused = count - result.acked;
      if (refused > 0 || result.notStored > 0) {
        notes.push(
          `${side} ${prefix}: ${refused} not acknowledged (${JSON.stringify(result.statuses)}, ${result.errors} transport errors), ${result.notStored} 2xx not "stored"`,
        );
      }
      if (process.env['BENCH_VERBOSE']) {
        console.error(
          `  ${prefix}: ${fmt((count / result.ms) * 1000, 0)} ev/s, server ${fmt(cpuMs)} ms, pg ${fmt(pgCpuMs)} ms, ` +
            `wal ${fmt(walBytes / count, 0)} B per event, p50 ${fmt(result.p50, 1)} ms, p99 ${fmt(result.p99, 1)} ms`,
        );
      }
      return {
        rate: (count / result.ms) * 1000,
        cpuMs,
        pgCpuMs,
        walBytes: walBytes / count,
        acked: result.acked,
        lost: Math.max(0, result.acked - stored),
        refused,
        p50: result.p50,
        p99: result.p99,
      };
    };

    // Warm both paths (JIT, pools, the session key cache, the chats' rows).
    await runOnce('baseline', 16, WARMUP);
    await runOnce('service', 16, WARMUP);

    const rounds: { baseline: Record<number, Run>; service: Record<number, Run> }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = { baseline: {} as Record<number, Run>, service: {} as Record<number, Run> };
      for (const c of CONCURRENCY) {
        const order: ('service' | 'baseline')[] = r % 2 ? ['service', 'baseline'] : ['baseline', 'service'];
        for (const side of order) round[side][c] = await runOnce(side, c, EVENTS);
      }
      rounds.push(round);
    }

    const rows = CONCURRENCY.flatMap((c) => {
      const b = spread(rounds.map((r) => r.baseline[c]!.rate));
      const s = spread(rounds.map((r) => r.service[c]!.rate));
      const ratio = spread(rounds.map((r) => r.service[c]!.rate / r.baseline[c]!.rate));
      const lost = (side: 'service' | 'baseline') => rounds.reduce((n, r) => n + r[side][c]!.lost, 0);
      const acked = (side: 'service' | 'baseline') => rounds.reduce((n, r) => n + r[side][c]!.acked, 0);
      return [
        {
          figure: `events/s, ${c} concurrent`,
          baseline: fmtSpread(b, 0),
          service: fmtSpread(s, 0),
          ratio: fmtSpread(ratio),
        },
        {
          figure: `server CPU ms per event, ${c} concurrent`,
          baseline: fmtSpread(spread(rounds.map((r) => r.baseline[c]!.cpuMs))),
          service: fmtSpread(spread(rounds.map((r) => r.service[c]!.cpuMs))),
          ratio: fmtSpread(spread(rounds.map((r) => r.service[c]!.cpuMs / r.baseline[c]!.cpuMs))),
        },
        {
          figure: `PostgreSQL CPU ms per event, ${c} concurrent`,
          baseline: fmtSpread(spread(rounds.map((r) => r.baseline[c]!.pgCpuMs))),
          service: fmtSpread(spread(rounds.map((r) => r.service[c]!.pgCpuMs))),
          ratio: fmtSpread(spread(rounds.map((r) => r.service[c]!.pgCpuMs / r.baseline[c]!.pgCpuMs))),
        },
        {
          figure: `WAL bytes per event, ${c} concurrent`,
          baseline: fmtSpread(spread(rounds.map((r) => r.baseline[c]!.walBytes)), 0),
          service: fmtSpread(spread(rounds.map((r) => r.service[c]!.walBytes)), 0),
          ratio: fmtSpread(spread(rounds.map((r) => r.service[c]!.walBytes / r.baseline[c]!.walBytes))),
        },
        {
          figure: `p50 ms send -> 2xx, ${c} concurrent`,
          baseline: fmtSpread(spread(rounds.map((r) => r.baseline[c]!.p50)), 1),
          service: fmtSpread(spread(rounds.map((r) => r.service[c]!.p50)), 1),
          ratio: fmtSpread(spread(rounds.map((r) => r.service[c]!.p50 / r.baseline[c]!.p50))),
        },
        {
          figure: `p99 ms send -> 2xx (<= 2x), ${c} concurrent`,
          baseline: fmtSpread(spread(rounds.map((r) => r.baseline[c]!.p99)), 1),
          service: fmtSpread(spread(rounds.map((r) => r.service[c]!.p99)), 1),
          ratio: fmtSpread(spread(rounds.map((r) => r.service[c]!.p99 / r.baseline[c]!.p99))),
        },
        {
          figure: `lost (2xx without rows) / acknowledged, ${c} concurrent`,
          baseline: `${lost('baseline')} / ${acked('baseline')}`,
          service: `${lost('service')} / ${acked('service')}`,
          ratio: '',
        },
      ];
    });
    const ratio = spread(
      rounds.map((r) => Math.min(...CONCURRENCY.map((c) => r.service[c]!.rate / r.baseline[c]!.rate))),
    );
    const lostTotal = rounds.reduce(
      (n, r) => n + CONCURRENCY.reduce((m, c) => m + r.service[c]!.lost + r.baseline[c]!.lost, 0),
      0,
    );
    // Issue 15's second bar: the 2xx's p99 within 2x of the bare server's at the same load.
    const p99Ratio = spread(
      rounds.map((r) => Math.max(...CONCURRENCY.map((c) => r.service[c]!.p99 / r.baseline[c]!.p99))),
    );
    notes.push(
      `p99 send -> 2xx, service/baseline, worst concurrency per round: ${fmtSpread(p99Ratio)} ` +
        `(issue 15: <= 2x, ${p99Ratio.median <= 2 ? 'met' : 'NOT met'})`,
    );
    notes.push(
      `${EVENTS} events per run x ${CONCURRENCY.join('/')} concurrent x ${ROUNDS} rounds per side, ` +
        `${CHATS} chats; ratio = service/baseline events/s, worst concurrency per round; ` +
        `lost in all: ${lostTotal}; ${fmt((now() - started) / 1000, 0)} s in all`,
    );
    return {
      name: 'webhook-ingestion',
      target: 'POST /webhooks/waha events/s >= 1.0x a bare HMAC + one INSERT server, nothing lost (issue 15)',
      ratio,
      limit: 1,
      higherIsBetter: true,
      ...(lostTotal > 0 ? { broken: `${lostTotal} acknowledged events without their rows` } : {}),
      rows,
      notes,
    };
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await db.drop().catch((error: unknown) => console.error(`bench: dropping ${db.name} failed`, error));
  }
}
