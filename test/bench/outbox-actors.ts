/**
 * The processes of `outbox-throughput`, one mode each, forked by the orchestrator so that n8n's
 * and the producers' CPU is not in the service's. Timestamps are now() (process.hrtime: one
 * monotonic clock across processes). Producers answer per command [s, n, scheduled, from,
 * acked, ok]: lag is counted from `from` (and from `acked`), `ok` = 1 when a command was committed.
 *
 *   service   a replica as main.ts builds it (createApp, pino at BENCH_LOG_LEVEL, default info,
 *             stdout discarded), outbox dispatcher ON to BENCH_N8N_URL, pacing off. Env:
 *             BENCH_DATABASE_URL, BENCH_MIGRATE, REDIS_URL. Ops: tenant {slug}; produce: its part
 *             of the schedule through the service's own enqueue path, in this process — a
 *             transaction of a forked EntityManager with OutboxService.enqueue(message.received),
 *             committed, then notifyCommitted() as every writer does; from = acked = right after
 *             the commit.
 *   fake-n8n  n8n's Webhook node in "respond immediately" mode: each POST answered 200
 *             `{"message":"Workflow was started"}` once its body is in, and recorded (receipt
 *             time, commandId, the text's marker `[bench r<run> s<session> n<seq>]`). Op: take.
 *   webhooks  the real write path: WAHA `message` events (one message.received each), signed
 *             before the clock starts, POSTed to /webhooks/waha; with several replicas a session's
 *             events alternate between them (a load balancer's round robin). from = sent, acked =
 *             its answer, ok = 2xx "stored".
 *   bare      the baseline: ONE autocommit INSERT per command into bench_outbox (from = acked =
 *             right after it), and in the same process a poller woken by those commits (else every
 *             1 s): BEGIN, SELECT … FOR UPDATE SKIP LOCKED (50, oldest first), POST each (a
 *             session's rows in turn, sessions in parallel), UPDATE them delivered, COMMIT.
 *
 * Every producer keeps the schedule: command i (session i % sessions, its n-th) not before
 * t0 + i / rate, and a session's next only after its previous is committed (or answered).
 */
import { createHmac } from 'node:crypto';
import { createServer, Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { wahaEvent } from '../support/waha-event.js';
import { announce, now, serveParent } from './support.js';

const mode = process.argv[2];
const env = process.env;

// (The orchestrator imports only this file's types: its top level runs a mode.)
const MARKER = /\[bench r(\d+) s(\d+) n(\d+)\]/;
/** The path n8n's Webhook node of message.received listens on (commandPath, default prefix). */
const N8N_PATH = '/webhook/whatsapp-hub/message-received';

export interface ProducerRun {
  run: number;
  rate: number;
  /** Commands in all; command i is session i % sessions, its n-th = floor(i / sessions). */
  count: number;
  sessions: number;
  /** The schedule's start (now()), shared by every producing process; 0: 100 ms from when this one is ready. */
  t0: number;
  /** This process produces the sessions s with s % part[1] === part[0]. */
  part: [number, number];
  urls: string[];
  keys: string[];
  sessionIds: string[];
  tenantId: string;
  /** The linked account's WhatsApp id (the sessions' me_id). */
  me: string;
  chats: number;
}

function paced(r: ProducerRun, write: (s: number, n: number) => Promise<number[]>): Promise<number[][]> {
  const [out, t0] = [[] as number[][], r.t0 || now() + 100];
  const mine = Array.from({ length: Math.min(r.sessions, r.count) }, (_, s) => s).filter(
    (s) => s % r.part[1] === r.part[0],
  );
  return Promise.all(
    mine.map(async (s) => {
      for (let n = 0, i = s; i < r.count; n++, i += r.sessions) {
        const at = t0 + (i * 1000) / r.rate;
        if (at > now()) await sleep(at - now());
        out.push([s, n, at, ...(await write(s, n))]);
      }
    }),
  ).then(() => out);
}

const chatOf = (r: ProducerRun, s: number, n: number) =>
  `4917${String(s).padStart(4, '0')}${String(n % r.chats).padStart(4, '0')}@c.us`;
const textOf = (r: ProducerRun, s: number, n: number) =>
  `Hello, is order #${100000 + n} ready for pickup? [bench r${r.run} s${s} n${n}]`;
/** message.received's payload (CommandPayloads), as the ingest writes it for an inbound text. */
const receivedPayload = (r: ProducerRun, s: number, n: number) => ({
  chatId: chatOf(r, s, n),
  messageId: `false_${chatOf(r, s, n)}_3EB0R${r.run}S${s}N${n}`,
  from: chatOf(r, s, n),
  body: textOf(r, s, n),
  timestamp: new Date().toISOString(),
  hasMedia: false,
});

function post(agent: Agent, url: URL, body: Buffer, headers: Record<string, string>) {
  return new Promise<{ status: number; text: string }>((resolve) => {
    const req = httpRequest(
      {
        ...{ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST' },
        headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: 0, text: '' }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, text: '' }));
    req.end(body);
  });
}

async function service(): Promise<void> {
  const { createApp, shutDown } = await import('../../src/bootstrap.js');
  const { testConfig } = await import('../support/env.js');
  const { TenantsService } = await import('../../src/tenants/tenants.service.js');
  const { MikroORM } = await import('@mikro-orm/core');
  const { OutboxService } = await import('../../src/outbox/outbox.service.js');
  const { CommandType } = await import('../../src/outbox/commands.js');
  const config = testConfig({
    DATABASE_URL: env['BENCH_DATABASE_URL']!,
    MIGRATIONS_RUN: env['BENCH_MIGRATE'] ?? 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    OUTBOX_DISPATCH: 'true',
    N8N_BASE_URL: env['BENCH_N8N_URL']!,
    SEND_PACING_INTERVAL_MS: '0',
    LOG_LEVEL: env['BENCH_LOG_LEVEL'] ?? 'info',
    ...(env['REDIS_URL'] ? { REDIS_URL: env['REDIS_URL'] } : {}),
  });
  // No logger option: Nest logs through pino as in main.ts, so the dispatcher's line per
  // delivered command costs what it costs in production.
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const [tenants, orm, outbox] = [app.get(TenantsService), app.get(MikroORM), app.get(OutboxService)];
  serveParent({
    tenant: async (request) => (await tenants.ensure(String(request['slug']))).id,
    produce: (request) => {
      const r = request as unknown as ProducerRun;
      return paced(r, async (s, n) => {
        const target = { tenantId: r.tenantId, sessionId: r.sessionIds[s]! };
        await orm.em.fork().transactional(async (em) => {
          outbox.enqueue(em, CommandType.MESSAGE_RECEIVED, target, receivedPayload(r, s, n));
        });
        const committed = now();
        outbox.notifyCommitted();
        return [committed, committed, 1];
      });
    },
  });
  process.on('SIGTERM', () => void shutDown(app).finally(() => process.exit(0)));
  announce({ url });
}

async function fakeN8n(): Promise<void> {
  const answer = Buffer.from(JSON.stringify({ message: 'Workflow was started' }));
  /** Per receipt: at, run, session, n (-1: no marker), commandId ('' when the body named none). */
  const receipts: [number, number, number, number, string][] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = now();
      const raw = Buffer.concat(chunks).toString('utf8');
      let commandId = '';
      try {
        commandId = String((JSON.parse(raw) as { commandId?: unknown }).commandId ?? '');
      } catch {
        // recorded without an id: counted as not ours
      }
      const m = MARKER.exec(raw);
      receipts.push([at, m ? Number(m[1]) : -1, m ? Number(m[2]) : -1, m ? Number(m[3]) : -1, commandId]);
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': answer.length,
      });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveParent({ take: () => receipts.splice(0) });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
  const { port } = server.address() as { port: number };
  announce({ url: `http://127.0.0.1:${port}` });
}

/** A WAHA `message` event as WAHA's webhook sends it (as webhook-load builds them). */
function eventBody(r: ProducerRun, s: number, n: number): Buffer {
  const [from, sessionId, ms] = [chatOf(r, s, n), r.sessionIds[s]!, Date.now()];
  const event = wahaEvent({
    id: `evt_r${r.run}_s${s}_n${n}`,
    timestamp: ms,
    event: 'message',
    session: sessionId,
    metadata: { 'whatsapp-hub.tenantId': r.tenantId, 'whatsapp-hub.sessionId': sessionId },
    me: { id: r.me, pushName: 'Bench Shop' },
    payload: {
      ...{ id: `false_${from}_3EB0R${r.run}S${s}N${n}`, timestamp: Math.floor(ms / 1000), from },
      ...{ fromMe: false, source: 'app', to: r.me, body: textOf(r, s, n), hasMedia: false },
      ...{ ack: 1, ackName: 'SERVER' },
    },
  });
  return Buffer.from(JSON.stringify(event));
}

async function webhooks(): Promise<void> {
  serveParent({
    run: async (request) => {
      const r = request as unknown as ProducerRun;
      const agent = new Agent({ keepAlive: true, maxSockets: r.sessions });
      const urls = r.urls.map((url) => new URL(`${url}/webhooks/waha`));
      // Built and signed before the clock starts: WAHA signs on its side.
      const events = Array.from({ length: r.count }, (_, i) => {
        const s = i % r.sessions;
        const body = eventBody(r, s, Math.floor(i / r.sessions));
        return { body, signature: createHmac('sha512', r.keys[s]!).update(body).digest('hex') };
      });
      const rows = await paced(r, async (s, n) => {
        const event = events[n * r.sessions + s]!;
        const sent = now();
        const { status, text } = await post(agent, urls[(s + n) % urls.length]!, event.body, {
          'x-webhook-hmac': event.signature,
          'x-webhook-hmac-algorithm': 'sha512',
        });
        // A 2xx that is not "stored" stored nothing new: no command was committed for it.
        return [sent, now(), status >= 200 && status < 300 && text.includes('"stored"') ? 1 : 0];
      });
      agent.destroy();
      return rows;
    },
  });
  announce({});
}

interface PgConnection {
  connect(): Promise<void>;
  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}

async function bare(): Promise<void> {
  const url = env['BENCH_DATABASE_URL']!;
  const target = new URL(`${env['BENCH_N8N_URL']!}${N8N_PATH}`);
  const pool = new pg.Pool({ connectionString: url, max: 10, application_name: 'bench-baseline' });
  // The poller holds its transaction across the POSTs: one connection of its own.
  const { Client } = pg as unknown as {
    Client: new (options: { connectionString: string; application_name: string }) => PgConnection;
  };
  const poller = new Client({ connectionString: url, application_name: 'bench-baseline' });
  await poller.connect();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let wake: (() => void) | undefined;
  let [woken, stopped] = [false, false];
  const notify = () => {
    woken = true;
    wake?.();
  };
  type Row = { id: string; session_id: string; payload: unknown; created_at: Date };
  const deliver = async (row: Row): Promise<boolean> => {
    const envelope = { commandId: row.id, type: 'message.received', tenantId: env['BENCH_TENANT_ID'] };
    const body = Buffer.from(
      JSON.stringify({
        ...{ ...envelope, sessionId: row.session_id, attempt: 1 },
        ...{ issuedAt: row.created_at.toISOString(), payload: row.payload },
      }),
    );
    const { status, text } = await post(agent, target, body, {
      'x-whatsapp-hub-secret': 'dev-only-n8n-webhook-secret',
      'idempotency-key': row.id,
    });
    return status >= 200 && status < 300 && text.startsWith('{');
  };
  const poll = async () => {
    while (!stopped) {
      woken = false;
      await poller.query('begin');
      // Ordered by the column, not by the text `id` the select answers (which would sort '10' before '9').
      const { rows } = await poller.query<Row>(
        `select id::text, session_id, payload, created_at from bench_outbox where delivered_at is null
          order by bench_outbox.id limit 50 for update skip locked`,
      );
      const bySession = new Map<string, Row[]>();
      for (const row of rows) bySession.set(row.session_id, [...(bySession.get(row.session_id) ?? []), row]);
      const done: string[] = [];
      await Promise.all(
        [...bySession.values()].map(async (list) => {
          // A session's rows in order; after a failure its later rows wait for the next pass.
          for (const row of list) {
            if (!(await deliver(row))) return;
            done.push(row.id);
          }
        }),
      );
      if (done.length > 0) {
        await poller.query(`update bench_outbox set delivered_at = now() where id = any($1::bigint[])`, [
          done,
        ]);
      }
      await poller.query('commit');
      if (rows.length === 0 && !woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  };
  const polling = poll().catch((error: unknown) => console.error('bare poller failed', error));
  serveParent({
    run: (request) => {
      const r = request as unknown as ProducerRun;
      return paced(r, async (s, n) => {
        await pool.query(`insert into bench_outbox (run, session_id, seq, payload) values ($1, $2, $3, $4)`, [
          ...[r.run, r.sessionIds[s], n],
          JSON.stringify(receivedPayload(r, s, n)),
        ]);
        const committed = now();
        notify();
        return [committed, committed, 1];
      });
    },
  });
  process.on('SIGTERM', () => {
    stopped = true;
    notify();
    void polling.then(() => Promise.all([poller.end(), pool.end()])).finally(() => process.exit(0));
  });
  announce({});
}

if (mode === 'service') await service();
else if (mode === 'fake-n8n') await fakeN8n();
else if (mode === 'webhooks') await webhooks();
else if (mode === 'bare') await bare();
else throw new Error(`outbox-actors.js: unknown mode ${mode}`);
