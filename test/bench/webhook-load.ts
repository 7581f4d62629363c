/**
 * The load generator of `webhook-ingestion`, in a process of its own (forked by the
 * orchestrator), so signing and sending are not in the servers' CPU. Driven over IPC:
 *
 *   run {url, key, sessionId, tenantId, me, prefix, count, concurrency, chats}
 *     builds `count` distinct WAHA `message` events (inbound, ids `<prefix>_<i>`, spread over
 *     `chats` chats), signs each (hex HMAC-SHA512 of the raw body, header X-Webhook-Hmac) BEFORE
 *     the clock starts (WAHA signs on its side), then sends them with `concurrency` keep-alive
 *     clients, each one request at a time, until all are answered. Returns the wall time, the
 *     answers by status, the ids answered 2xx, transport errors, and the p50/p99 of the time from
 *     sending an event to its 2xx (issue 15: within 2x of the bare server's at the same load).
 *     No retries: an event that is not answered 2xx counts as not acknowledged.
 */
import { createHmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { now, percentile, serveParent } from './support.js';
import { wahaEvent } from '../support/waha-event.js';

interface RunRequest {
  url: string;
  key: string;
  sessionId: string;
  tenantId: string;
  me: string;
  prefix: string;
  count: number;
  concurrency: number;
  chats: number;
}

export interface RunResult {
  ms: number;
  statuses: Record<string, number>;
  acked: number;
  /** 2xx answers whose body is not {"status":"stored"}: a fresh event must be stored. */
  notStored: number;
  errors: number;
  bytes: number;
  /** Send -> 2xx answer of the events answered 2xx, ms: p50 and p99. */
  p50: number;
  p99: number;
}

/** A WAHA `message` event as WAHA's webhook sends it (openapi: WAHAWebhookMessage), as the specs build it. */
function eventBody(run: RunRequest, i: number): string {
  const from = `49170000${String(i % run.chats).padStart(5, '0')}@c.us`;
  const ms = Date.now();
  return JSON.stringify(
    wahaEvent({
      id: `${run.prefix}_${i}`,
      timestamp: ms,
      event: 'message',
      session: run.sessionId,
      metadata: { 'whatsapp-hub.tenantId': run.tenantId, 'whatsapp-hub.sessionId': run.sessionId },
      me: { id: run.me, pushName: 'Bench Shop' },
      payload: {
        id: `false_${from}_3EB0${run.prefix.toUpperCase()}${String(i).padStart(8, '0')}`,
        timestamp: Math.floor(ms / 1000),
        from,
        fromMe: false,
        source: 'app',
        to: run.me,
        body: `Hello, is order #${100000 + i} ready for pickup? I could come by this afternoon.`,
        hasMedia: false,
        ack: 1,
        ackName: 'SERVER',
      },
    }),
  );
}

async function run(r: RunRequest): Promise<RunResult> {
  const target = new URL(r.url);
  const events = Array.from({ length: r.count }, (_, i) => {
    const body = Buffer.from(eventBody(r, i));
    return { body, signature: createHmac('sha512', r.key).update(body).digest('hex') };
  });
  const agent = new Agent({ keepAlive: true, maxSockets: r.concurrency });
  const statuses: Record<string, number> = {};
  let acked = 0;
  let notStored = 0;
  let errors = 0;
  let next = 0;
  const latencies: number[] = [];
  const send = (event: { body: Buffer; signature: string }) =>
    new Promise<{ status: number; text: string } | null>((resolve) => {
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': event.body.length,
            'x-webhook-hmac': event.signature,
            'x-webhook-hmac-algorithm': 'sha512',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
          res.on('error', () => resolve(null));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(null));
      req.end(event.body);
    });
  const worker = async () => {
    while (next < events.length) {
      const event = events[next++]!;
      const sent = now();
      const answer = await send(event);
      if (!answer) {
        errors++;
        continue;
      }
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status >= 200 && answer.status < 300) {
        acked++;
        latencies.push(now() - sent);
        if (!answer.text.includes('"stored"')) notStored++;
      }
    }
  };
  const t0 = now();
  await Promise.all(Array.from({ length: r.concurrency }, worker));
  const ms = now() - t0;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    ms,
    statuses,
    acked,
    notStored,
    errors,
    bytes: events[0]?.body.length ?? 0,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

serveParent({ run: (request) => run(request as unknown as RunRequest) });
process.send?.({ op: 'ready' });
