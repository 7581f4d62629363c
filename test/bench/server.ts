/**
 * A benchmark's server, in a process of its own (forked by the orchestrator with --expose-gc
 * and an IPC channel), so its memory and CPU are its own and the clients' are not in it.
 *
 *   server.js service     the real service (createApp, as main.ts builds it), on 127.0.0.1:0.
 *                         Env: BENCH_DATABASE_URL, BENCH_MIGRATE ('true' for the first replica),
 *                         REDIS_URL (optional).
 *   server.js bare-ws     a bare `ws` WebSocketServer that accepts sockets and does nothing else.
 *   server.js bare-relay  the bare relay: one ioredis subscriber on BENCH_CHANNEL, every message
 *                         sent as it came to every open socket of a `ws` WebSocketServer.
 *                         With BENCH_ROOMS=N instead: rooms 0..N-1, one channel each
 *                         (`<BENCH_CHANNEL>:<room>`, like the service's channel per tenant); a
 *                         socket joins the room its URL names (`/?room=<k>`) and gets only the
 *                         messages of that room's channel (live-fanout).
 *   server.js bare-webhook  the minimal webhook receiver: node:http, reads the raw body (1 MiB
 *                         limit), verifies the hex HMAC-SHA512 in X-Webhook-Hmac with
 *                         BENCH_HMAC_KEY (constant time), parses the JSON, ONE `INSERT` per
 *                         event into bench_webhook_baseline (a `pg` Pool on BENCH_DATABASE_URL,
 *                         10 connections like the service's ORM), answers 200 after it.
 *
 * Ops (over IPC): `memory` (RSS and heap after full GCs), `tenant` {slug} (service: the
 * tenant's id, created if missing), `sockets` (open sockets, bare servers), `cpu` (every mode:
 * process.cpuUsage() in µs and the time it was taken, now() ms).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { writeHeapSnapshot } from 'node:v8';
import pg from 'pg';
import { Redis } from 'ioredis';
import { type WebSocket, WebSocketServer } from 'ws';
import { announce, now, serveParent, settledMemory } from './support.js';

const mode = process.argv[2];

/** This process's CPU time so far (µs, user and system) and when it was read: CPU % over a window. */
const cpu = () => ({ ...process.cpuUsage(), at: now() });

async function service(): Promise<void> {
  const { createApp } = await import('../../src/bootstrap.js');
  const { testConfig } = await import('../support/env.js');
  const { TenantsService } = await import('../../src/tenants/tenants.service.js');
  const redisUrl = process.env['REDIS_URL'];
  const config = testConfig({
    DATABASE_URL: process.env['BENCH_DATABASE_URL']!,
    MIGRATIONS_RUN: process.env['BENCH_MIGRATE'] ?? 'false',
    // The per-tenant request limit (1,200 a minute by default) would refuse the 1,000th
    // subscription of one tenant within a minute: a benchmark of fan-out, not of the limiter.
    RATE_LIMIT_PER_MINUTE: '0',
    // Production logs every request at info; BENCH_LOG_LEVEL=info keeps that cost in (stdout is
    // then discarded by the orchestrator). Default: silent, as the tests.
    ...(process.env['BENCH_LOG_LEVEL'] ? { LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] } : {}),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  });
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const tenants = app.get(TenantsService);
  serveParent({
    memory: () => settledMemory(),
    cpu,
    // For `where does the memory go`: a heap snapshot to the given path.
    heapSnapshot: (request) => writeHeapSnapshot(String(request['path'])),
    tenant: async (request) => (await tenants.ensure(String(request['slug']))).id,
  });
  process.on('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
  announce({ url, internalKey: config.internalApi.key, jwtSecret: config.jwt.secret });
}

async function bare(relay: boolean): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  let subscriber: Redis | undefined;
  const rooms = Number(process.env['BENCH_ROOMS'] ?? 0);
  if (relay && rooms > 0) {
    subscriber = await roomRelay(wss, process.env['BENCH_CHANNEL']!, rooms);
  } else if (relay) {
    const channel = process.env['BENCH_CHANNEL']!;
    subscriber = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    // The whole relay: each message, as it came, to every socket.
    subscriber.on('message', (_channel: string, message: string) => {
      for (const socket of wss.clients) socket.send(message);
    });
    await subscriber.subscribe(channel);
  }
  serveParent({
    memory: () => settledMemory(),
    sockets: () => wss.clients.size,
    cpu,
  });
  process.on('SIGTERM', () => {
    subscriber?.disconnect();
    for (const socket of wss.clients) socket.terminate();
    wss.close(() => process.exit(0));
  });
  const { port } = wss.address() as { port: number };
  announce({ url: `ws://127.0.0.1:${port}` });
}

/** The relay with rooms: each room's channel, as it came, to the sockets of that room only. */
async function roomRelay(wss: WebSocketServer, prefix: string, rooms: number): Promise<Redis> {
  const members = new Map<string, Set<WebSocket>>();
  for (let room = 0; room < rooms; room++) members.set(`${prefix}:${room}`, new Set());
  wss.on('connection', (socket, request) => {
    const room = new URL(request.url ?? '/', 'http://relay').searchParams.get('room') ?? '0';
    const sockets = members.get(`${prefix}:${room}`);
    if (!sockets) return socket.close(1008, 'no such room');
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const subscriber = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  subscriber.on('message', (channel: string, message: string) => {
    for (const socket of members.get(channel) ?? []) socket.send(message);
  });
  await subscriber.subscribe(...members.keys());
  return subscriber;
}

async function bareWebhook(): Promise<void> {
  const key = process.env['BENCH_HMAC_KEY']!;
  const pool = new pg.Pool({
    connectionString: process.env['BENCH_DATABASE_URL']!,
    max: 10,
    application_name: 'bench-baseline',
  });
  const LIMIT = 1024 * 1024;
  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= LIMIT) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > LIMIT) return answer(res, 413, { error: 'too large' });
      const raw = Buffer.concat(chunks);
      const signature = req.headers['x-webhook-hmac'];
      const expected = createHmac('sha512', key).update(raw).digest();
      if (
        typeof signature !== 'string' ||
        !/^[0-9a-f]{128}$/i.test(signature) ||
        !timingSafeEqual(expected, Buffer.from(signature, 'hex'))
      ) {
        return answer(res, 401, { error: 'bad signature' });
      }
      let event: { id: string; session: string; event: string; timestamp: number; payload: unknown };
      try {
        event = JSON.parse(raw.toString('utf8')) as typeof event;
      } catch {
        return answer(res, 400, { error: 'not JSON' });
      }
      pool
        .query(
          `insert into bench_webhook_baseline (id, session, event, occurred_at, payload, received_at)
           values ($1, $2, $3, to_timestamp($4::double precision / 1000), $5, now()) on conflict (id) do nothing`,
          [event.id, event.session, event.event, event.timestamp, JSON.stringify(event.payload)],
        )
        .then(
          () => answer(res, 200, { status: 'stored', eventId: event.id }),
          () => answer(res, 500, { error: 'not stored' }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveParent({ memory: () => settledMemory(), cpu });
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void pool.end().finally(() => process.exit(0)));
  });
  const { port } = server.address() as { port: number };
  announce({ url: `http://127.0.0.1:${port}/webhooks/waha` });
}

if (mode === 'service') await service();
else if (mode === 'bare-webhook') await bareWebhook();
else if (mode === 'bare-ws') await bare(false);
else if (mode === 'bare-relay') await bare(true);
else throw new Error(`server.js: unknown mode ${mode}`);
