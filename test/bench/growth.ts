/**
 * Target 6: growth. With 10k, 100k and 1M messages already stored, webhook ingestion and the
 * dashboard's two list queries stay within 1.5x of their figures at 10k, and their SQL uses
 * indexes. The baseline is the smallest size of the same run (BENCH_GROWTH_SIZES, first).
 *
 * Data (growth-data.ts): per size a database of its own, migrated by its own replica
 * (server.js service, Redis, request logging at info as in production, stdout discarded), then
 * 100 sessions over 10 tenants with a year of skewed history written straight into the
 * service's tables with set-based SQL, VACUUM ANALYZEd. All replicas stay up throughout and
 * every round measures every size, alternating the order, so all sizes see the same machine.
 *
 * Per round and size:
 *  - queries, one at a time from this process through /graphql (a viewer's JWT of the session's
 *    tenant): `chats(sessionId, first: 50)` of the busiest session and of a random session, and
 *    `messages(sessionId, chatId, first: 50)` of the busiest session's busiest chat and of a
 *    random chat (uniform over all chats), with the fields a dashboard shows; p50/p99 each.
 *  - ingestion: webhook-load.js (its own process) sends signed WAHA `message` events with 16
 *    concurrent keep-alive clients into the busiest session (its 8 busiest chats), as in
 *    webhook-ingestion; events/s, and the run's rows counted against the 2xx (lost = 2xx
 *    without rows). Then the run's rows are deleted and its chats restored (and the tables
 *    vacuumed, as autovacuum would), so every round queries the same history.
 * After the rounds, the SQL the two queries run is captured from the service's own code
 * (ChatPagesService on a MikroORM with query logging, the same generated SQL) and explained
 * with EXPLAIN (ANALYZE, BUFFERS) at every size; printed: the largest size's plans, and any
 * other that took 5 ms or more.
 *
 * Ratio per figure = its value at N / at the smallest size, per round. The target's figure per
 * round is the worst slowdown over every figure and size (latency at N / at 10k; events/s at
 * 10k / at N), against 1.5.
 */
import { encodeTime } from 'ulid';
import pg, { type Pool } from 'pg';
import { JwtService } from '../../src/auth/jwt.service.js';
import { testConfig, TEST_REDIS_URL } from '../support/env.js';
import { type BenchDatabase, createBenchDatabase } from './database.js';
import { deletes, restoreHistory } from './growth-deletes.js';
import { explainPages, type GeneratedSession, generateHistory } from './growth-data.js';
import { type BenchReport, Child, fmt, fmtSpread, gql, now, percentiles, spread } from './support.js';
import { type RunResult } from './webhook-load.js';

const SIZES = (process.env['BENCH_GROWTH_SIZES'] ?? '10000,100000,1000000').split(',').map(Number);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const EVENTS = Number(process.env['BENCH_GROWTH_EVENTS'] ?? 2000);
const QUERIES = Number(process.env['BENCH_GROWTH_QUERIES'] ?? 200);
const CONCURRENCY = 16;
const CHATS = 8;
const WARMUP_EVENTS = 300;
const WARMUP_QUERIES = 20;
const SESSIONS = 100;
const TENANTS = 10;
const LIMIT = 1.5;
/** The busiest chat of every session (growth-data.ts). */
const BUSY_CHAT = '4917000000000@c.us';

const CHATS_PAGE = `query ChatList($s: ID!) { chats(sessionId: $s, first: 50) { edges { cursor node {
  id chatId name isGroup unreadCount lastActivityAt
  lastMessage { id wahaId body fromMe type status timestamp hasMedia media { id state mimetype downloadUrl } reactions { reaction fromMe } }
} } pageInfo { hasNextPage endCursor } } }`;
const MESSAGES_PAGE = `query ChatHistory($s: ID!, $c: ID!) { messages(sessionId: $s, chatId: $c, first: 50) { edges { cursor node {
  id wahaId fromMe direction body type status ack timestamp hasMedia
  media { id state mimetype filename size downloadUrl } replyTo { messageId excerpt } author { wahaId }
  location { latitude longitude } reactions { reaction senderId fromMe }
} } pageInfo { hasNextPage endCursor } } }`;

const KINDS = [
  'chats, busy session',
  'chats, random session',
  'messages, busy chat',
  'messages, random chat',
] as const;
type Kind = (typeof KINDS)[number];

interface Target {
  sessionId: string;
  tenantId: string;
  chatId: string;
}

interface Dataset {
  size: number;
  db: BenchDatabase;
  url: string;
  pool: Pool;
  sessions: GeneratedSession[];
  busy: GeneratedSession;
  /** Sessions with a full page of chats (50 or more) at this size: the random session's draw. */
  fullSessions: Target[];
  /** Chats with a full page of messages: the random chat's draw. */
  randomChats: Target[];
  tokens: Map<string, string>;
  /** The busy session's ingested-into chats as generated, to put back after each run. */
  saved: string;
  counts: Record<string, number>;
  loadMs: number;
}

interface Figures {
  rate: number;
  lost: number;
  acked: number;
  p50: Record<Kind, number>;
  p99: Record<Kind, number>;
  rows: Record<Kind, number>;
}

/** What a run must release whatever happens: its processes, pools and databases. */
interface Owned {
  children: Child[];
  pools: Pool[];
  dbs: BenchDatabase[];
}

async function prepare(size: number, owned: Owned, jwt: JwtService): Promise<Dataset> {
  const db = await createBenchDatabase();
  owned.dbs.push(db);
  const service = Child.start(
    `service ${size}`,
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
  owned.children.push(service);
  const { url } = (await service.ready()) as { url: string };
  const tenantIds: string[] = [];
  for (let t = 0; t < TENANTS; t++) {
    tenantIds.push(await service.request<string>('tenant', { slug: `bench-growth-${t + 1}` }));
  }
  // The load's own connection: more memory for sorting a million rows, and no JIT (seconds of
  // compiling per statement). Everything else runs with the server's settings, as the service's.
  const loader = new pg.Pool({
    connectionString: `${db.url}${db.url.includes('?') ? '&' : '?'}options=-c%20work_mem%3D128MB%20-c%20jit%3Doff`,
    max: 1,
  });
  const history = await generateHistory(loader, {
    messages: size,
    sessions: SESSIONS,
    tenantIds,
    nowMs: Date.now() - 60_000,
  }).finally(() => loader.end());
  const pool = new pg.Pool({ connectionString: db.url, max: 2, application_name: 'bench-orchestrator' });
  owned.pools.push(pool);
  // The load's WAL written out now, not during the first measured round.
  await pool.query('checkpoint').catch(() => undefined);
  const busy = history.sessions[0]!;
  // Like with like: every page measured is a full page of 50 at every size. A session or chat
  // drawn from all of them returns fewer rows at 10k (a random session had 11 chats at 10k, 45 at
  // 100k, 50 at 1M), and each row costs the service the same whatever the table's size.
  const { rows: fullSessions } = await pool.query<Target>(
    `select session_id as "sessionId", min(tenant_id::text) as "tenantId", '' as "chatId" from chats
     group by session_id having count(*) >= 50`,
  );
  const { rows: randomChats } = await pool.query<Target>(
    `select c.session_id as "sessionId", c.tenant_id as "tenantId", c.chat_id as "chatId" from chats c
     where (select count(*) from (select 1 from messages m where m.chat_id = c.id limit 50) f) = 50
     order by random() limit $1`,
    [QUERIES],
  );
  if (fullSessions.length === 0 || randomChats.length === 0) {
    throw new Error(
      `growth: at ${size} messages no session has 50 chats or no chat 50 messages; use sizes of 10000 or more`,
    );
  }
  const { rows: saved } = await pool.query<{ saved: string }>(
    `select coalesce(json_agg(c), '[]')::text as saved from (select id, last_message_id, activity_at, unread_count, updated_at, updated_by
       from chats where session_id = $1 and chat_id = any($2::varchar[])) c`,
    [busy.id, Array.from({ length: CHATS }, (_, i) => `49170000${String(i).padStart(5, '0')}@c.us`)],
  );
  const tokens = new Map<string, string>();
  for (const tenantId of tenantIds) {
    tokens.set(tenantId, await jwt.sign({ tenantId, userId: 'bench-reader', roles: ['viewer'] }));
  }
  return {
    size,
    db,
    url,
    pool,
    sessions: history.sessions,
    busy,
    fullSessions,
    randomChats,
    tokens,
    saved: saved[0]!.saved,
    counts: history.counts,
    loadMs: history.ms,
  };
}

async function queries(ds: Dataset, count: number): Promise<Pick<Figures, 'p50' | 'p99' | 'rows'>> {
  const times = Object.fromEntries(KINDS.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  const rows = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const ask = async (kind: Kind, target: Target) => {
    const headers = { authorization: `Bearer ${ds.tokens.get(target.tenantId)!}` };
    const [query, variables] = kind.startsWith('chats')
      ? [CHATS_PAGE, { s: target.sessionId }]
      : [MESSAGES_PAGE, { s: target.sessionId, c: target.chatId }];
    const t0 = now();
    const data = await gql<Record<string, { edges: unknown[] }>>(
      `${ds.url}/graphql`,
      query,
      variables,
      headers,
    );
    times[kind].push(now() - t0);
    rows[kind] += Object.values(data)[0]!.edges.length / count;
  };
  const busy = { sessionId: ds.busy.id, tenantId: ds.busy.tenantId, chatId: BUSY_CHAT };
  for (let i = 0; i < count; i++) {
    await ask('chats, busy session', busy);
    await ask('chats, random session', ds.fullSessions[Math.floor(Math.random() * ds.fullSessions.length)]!);
    await ask('messages, busy chat', busy);
    await ask('messages, random chat', ds.randomChats[i % ds.randomChats.length]!);
  }
  const pick = (p: 'p50' | 'p99') =>
    Object.fromEntries(KINDS.map((k) => [k, percentiles(times[k])[p]])) as Record<Kind, number>;
  return { p50: pick('p50'), p99: pick('p99'), rows };
}

let runs = 0;
async function ingest(
  ds: Dataset,
  load: Child,
  count: number,
): Promise<Pick<Figures, 'rate' | 'lost' | 'acked'>> {
  const started = new Date();
  // Every row the run writes has a ULID above this one (the service's ids are made at write time).
  const mark = `${encodeTime(started.getTime() - 1, 10)}0000000000000000`;
  const prefix = `evt_g${ds.size}r${++runs}`;
  const result = await load.request<RunResult>(
    'run',
    {
      url: `${ds.url}/webhooks/waha`,
      key: ds.busy.key,
      sessionId: ds.busy.id,
      tenantId: ds.busy.tenantId,
      me: ds.busy.me,
      prefix,
      count,
      concurrency: CONCURRENCY,
      chats: CHATS,
    },
    300_000,
  );
  const values = [ds.busy.id, mark, started];
  const { rows } = await ds.pool.query<{ events: number; messages: number; commands: number }>(
    `select (select count(*) from webhook_events where session_id = $1 and received_at >= $3 and id like $4)::int as events,
       (select count(*) from messages where session_id = $1 and id > $2)::int as messages,
       (select count(*) from outbox_commands where session_id = $1 and status = 'PENDING' and type = 'message.received')::int as commands`,
    [...values, `${prefix}\\_%`],
  );
  const stored = Math.min(rows[0]!.events, rows[0]!.messages, rows[0]!.commands);
  await restoreHistory(ds.pool, { sessionId: ds.busy.id, mark, started, saved: ds.saved });
  if (result.acked < count) {
    console.error(
      `  growth ${prefix}: ${count - result.acked} not acknowledged ${JSON.stringify(result.statuses)}`,
    );
  }
  return { rate: (count / result.ms) * 1000, lost: Math.max(0, result.acked - stored), acked: result.acked };
}

export async function growth(): Promise<BenchReport> {
  const started = now();
  const owned: Owned = { children: [], pools: [], dbs: [] };
  const datasets: Dataset[] = [];
  const notes: string[] = [];
  try {
    const jwt = new JwtService(testConfig());
    for (const size of SIZES) datasets.push(await prepare(size, owned, jwt));
    const load = Child.start('webhook load', 'webhook-load', [], {}, []);
    owned.children.push(load);
    await load.ready();

    for (const ds of datasets) {
      await queries(ds, WARMUP_QUERIES);
      await ingest(ds, load, WARMUP_EVENTS);
    }
    const rounds: Map<number, Figures>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = new Map<number, Figures>();
      for (const ds of r % 2 ? [...datasets].reverse() : datasets) {
        const q = await queries(ds, QUERIES);
        round.set(ds.size, { ...q, ...(await ingest(ds, load, EVENTS)) });
      }
      rounds.push(round);
    }

    const base = SIZES[0]!;
    const at = (r: Map<number, Figures>, size: number) => r.get(size)!;
    const figures: [string, (f: Figures) => number, boolean][] = [
      [`events/s, ${CONCURRENCY} concurrent`, (f) => f.rate, true],
      ...KINDS.flatMap((k): [string, (f: Figures) => number, boolean][] => [
        [`${k}: p50 ms`, (f) => f.p50[k], false],
        [`${k}: p99 ms`, (f) => f.p99[k], false],
      ]),
    ];
    const rows = SIZES.slice(1).flatMap((size) => [
      ...figures.map(([figure, pick]) => ({
        figure: `${figure} @ ${size.toLocaleString('en')}`,
        baseline: fmtSpread(spread(rounds.map((r) => pick(at(r, base)))), 1),
        service: fmtSpread(spread(rounds.map((r) => pick(at(r, size)))), 1),
        ratio: fmtSpread(spread(rounds.map((r) => pick(at(r, size)) / pick(at(r, base))))),
      })),
      {
        figure: `rows per page (${KINDS.map((k) => k.split(', ')[1]).join(' / ')}) @ ${size.toLocaleString('en')}`,
        baseline: KINDS.map((k) => fmt(rounds[0]!.get(base)!.rows[k], 1)).join(' / '),
        service: KINDS.map((k) => fmt(rounds[0]!.get(size)!.rows[k], 1)).join(' / '),
        ratio: '',
      },
    ]);
    // The target's figure per round: the worst slowdown of any figure at any size.
    const ratio = spread(
      rounds.map((r) =>
        Math.max(
          ...SIZES.slice(1).flatMap((size) =>
            figures.map(([, pick, higher]) =>
              higher ? pick(at(r, base)) / pick(at(r, size)) : pick(at(r, size)) / pick(at(r, base)),
            ),
          ),
        ),
      ),
    );
    const lost = rounds.reduce((n, r) => n + [...r.values()].reduce((m, f) => m + f.lost, 0), 0);
    const acked = rounds.reduce((n, r) => n + [...r.values()].reduce((m, f) => m + f.acked, 0), 0);

    // The SQL of the two pages and its plans: execution times at every size, the largest's plans in full.
    for (const ds of datasets) {
      const random = ds.randomChats[0]!;
      const session = ds.fullSessions[ds.fullSessions.length - 1]!;
      const plans = await explainPages(ds.db.url, ds.pool, [
        { title: KINDS[0], tenantId: ds.busy.tenantId, sessionId: ds.busy.id },
        { title: KINDS[1], tenantId: session.tenantId, sessionId: session.sessionId },
        { title: KINDS[2], tenantId: ds.busy.tenantId, sessionId: ds.busy.id, chatId: BUSY_CHAT },
        { title: KINDS[3], ...random },
      ]);
      // A sequential scan named with its table's size: a scan of 100 sessions is no growth problem.
      const seq = [
        ...new Set(plans.flatMap((p) => [...p.plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]!))),
      ];
      const { rows: sizes } = await ds.pool.query<{ name: string; n: number }>(
        `select relname as name, reltuples::bigint as n from pg_class where relname = any($1::text[]) and relkind = 'r'`,
        [seq],
      );
      const perPage = (k: Kind) => plans.filter((p) => p.title === k).map((p) => fmt(p.ms, 2));
      notes.push(
        `EXPLAIN ANALYZE @ ${ds.size.toLocaleString('en')}, ms per statement: ` +
          KINDS.map((k) => `${k} ${perPage(k).join(' + ')}`).join('; ') +
          `; sequential scans: ${sizes.map((r) => `${r.name} (${r.n} rows)`).join(', ') || 'none'}`,
      );
      // Every plan of the largest size; at the others, those that took 5 ms or more.
      for (const p of plans.filter((p) => ds === datasets[datasets.length - 1] || p.ms >= 5)) {
        console.log(`-- ${p.title} @ ${ds.size.toLocaleString('en')} messages\n${p.sql}\n${p.plan}\n`);
      }
    }
    for (const ds of datasets) {
      notes.push(`deletes @ ${ds.size.toLocaleString('en')}: ${await deletes(ds)}`);
    }
    for (const ds of datasets) {
      notes.push(
        `${ds.size.toLocaleString('en')}: full pages: ${ds.fullSessions.length} sessions, ${ds.randomChats.length}+ chats; stored in ${fmt(ds.loadMs / 1000, 0)} s: ${Object.entries(
          ds.counts,
        )
          .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
          .join(', ')}`,
      );
    }
    notes.push(
      `baseline = the figure at ${base.toLocaleString('en')} messages (same run), service = at N; ratio = N / ` +
        `${base.toLocaleString('en')} per round (events/s: >= ${fmt(1 / LIMIT, 2)} is within 1.5x). Target ratio: ` +
        `worst slowdown per round over all figures and sizes. ${QUERIES} queries of each kind and ${EVENTS} ` +
        `events per round and size, ${ROUNDS} rounds; lost ${lost} of ${acked} acknowledged; ` +
        `${fmt((now() - started) / 1000, 0)} s in all`,
    );
    return {
      name: 'growth',
      target: `ingestion and chats/messages(first: 50) p50/p99 at ${SIZES.map((s) => s.toLocaleString('en')).join('/')} messages within 1.5x of ${base.toLocaleString('en')}`,
      ratio,
      limit: LIMIT,
      ...(lost > 0 ? { broken: `${lost} acknowledged events without their rows` } : {}),
      rows,
      notes,
    };
  } finally {
    for (const child of owned.children.reverse()) await child.stop().catch(() => undefined);
    for (const pool of owned.pools) await pool.end().catch(() => undefined);
    for (const db of owned.dbs) {
      await db.drop().catch((error: unknown) => console.error(`bench: dropping ${db.name} failed`, error));
    }
  }
}
