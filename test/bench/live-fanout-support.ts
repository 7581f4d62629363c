/**
 * live-fanout's knobs, figures and the pieces that play WAHA (see live-fanout.ts): the WAHA
 * events and their signed POST, CPU readings from /proc, and the report with its verdicts.
 */
import { type Agent, request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { wahaEvent } from '../support/waha-event.js';
import { type BenchReport, fmt, fmtSpread, now, type Percentiles, spread } from './support.js';

export const SUBSCRIBERS = Number(process.env['BENCH_FANOUT_SUBSCRIBERS'] ?? 10_000);
export const SECONDS = Number(process.env['BENCH_FANOUT_SECONDS'] ?? 60);
export const SESSIONS = Number(process.env['BENCH_FANOUT_SESSIONS'] ?? 100);
export const FEED = process.env['BENCH_FANOUT_FEED'] === 'redis' ? 'redis' : 'webhook';
export const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
export const WARMUP_SECONDS = 5;
export const WARMUP_TRIES = 6;
export const GRACE_MS = 10_000;
export const CORES = cpus().length;
export const CPU_LIMIT = 50;
export const P99_LIMIT = 100;
export const KEY_PATH = ['whatsappMessageUpserted', 'message', 'wahaId'];

export type Side = 'service' | 'baseline';
export interface Cpu {
  user: number;
  system: number;
  at: number;
}
export interface Receipts {
  byKey: Record<string, number[]>;
  perSocket: (number | null)[];
  errors: number;
}
export interface Run {
  cpuPct: number;
  clientCpuPct: number;
  machinePct: number;
  fromPublish: Percentiles;
  fromSend: Percentiles;
  delivered: number;
  expected: number;
  dropped: number;
  droppedSubscribers: number;
  worstDropped: number;
  /** Service: webhooks not answered 2xx, by status and the answer's error code. */
  refused: Record<string, number>;
  /** The key of the run's first event, and (service) that message as its first subscriber got it. */
  firstKey: string;
  sample: unknown;
}

export function report(
  rounds: Record<Side, Run>[],
  opened: Record<Side, { ms: number }>,
  messageBytes: number,
  notes: string[],
  started: number,
): BenchReport {
  const pick = (side: Side, f: (r: Run) => number) => spread(rounds.map((r) => f(r[side])));
  const row = (figure: string, f: (r: Run) => number, digits = 1, withRatio = true) => ({
    figure,
    baseline: fmtSpread(pick('baseline', f), digits),
    service: fmtSpread(pick('service', f), digits),
    ratio: withRatio ? fmtSpread(spread(rounds.map((r) => f(r.service) / f(r.baseline)))) : '',
  });
  const dropped = (side: Side) => {
    const all = rounds.reduce((n, r) => n + r[side].dropped, 0);
    const worst = Math.max(...rounds.map((r) => r[side].worstDropped));
    const subscribers = Math.max(...rounds.map((r) => r[side].droppedSubscribers));
    return `${all} of ${rounds.reduce((n, r) => n + r[side].expected, 0)} (${subscribers} subs, worst ${worst})`;
  };
  const droppedService = rounds.reduce((n, r) => n + r.service.dropped, 0);
  const cpu = pick('service', (r) => r.cpuPct);
  const p99 = pick('service', (r) => r.fromPublish.p99);
  const verdict = (value: number, limit: number) =>
    value <= limit ? 'met' : `missed (${fmt(value / limit, 2)}x)`;
  notes.push(
    `targets (service, median of rounds): CPU ${fmt(cpu.median, 1)}% <= ${CPU_LIMIT}%: ${verdict(cpu.median, CPU_LIMIT)}; ` +
      `p99 ${fmt(p99.median, 1)} ms <= ${P99_LIMIT} ms: ${verdict(p99.median, P99_LIMIT)}; ` +
      `dropped ${droppedService}: ${droppedService === 0 ? 'met' : 'missed'}`,
    `${SUBSCRIBERS} subscribers on ${SESSIONS} sessions (one tenant each), 1 event per session per s ` +
      `(${SESSIONS}/s in, ${SUBSCRIBERS}/s out) for ${SECONDS} s x ${ROUNDS} rounds; feed: ` +
      `${FEED === 'redis' ? "the replica's own payloads PUBLISHed on its channels" : 'signed WAHA webhooks'}; ` +
      `message ${messageBytes} B; opening s: baseline ${fmt(opened.baseline.ms / 1000, 1)}, ` +
      `service ${fmt(opened.service.ms / 1000, 1)}; ${fmt((now() - started) / 1000, 0)} s in all`,
  );
  const refused: Record<string, number> = {};
  for (const [answer, n] of rounds.flatMap((r) => Object.entries(r.service.refused))) {
    refused[answer] = (refused[answer] ?? 0) + n;
  }
  if (Object.keys(refused).length > 0) {
    notes.push(`service: webhooks not answered 2xx (expected by nobody): ${JSON.stringify(refused)}`);
  }
  return {
    name: 'live-fanout',
    target: `${SUBSCRIBERS} subs x 1 event/s on one replica: CPU <= ${CPU_LIMIT}% of ${CORES} cores, p99 <= ${P99_LIMIT} ms, 0 dropped (ratio: worst figure / its target)`,
    ratio: spread(
      rounds.map((r) => Math.max(r.service.cpuPct / CPU_LIMIT, r.service.fromPublish.p99 / P99_LIMIT)),
    ),
    limit: 1,
    ...(droppedService > 0 ? { broken: `${droppedService} events dropped` } : {}),
    rows: [
      row(`server CPU, % of ${CORES} cores (target <= ${CPU_LIMIT})`, (r) => r.cpuPct),
      row('p50 ms, publish -> receipt', (r) => r.fromPublish.p50),
      row('p95 ms, publish -> receipt', (r) => r.fromPublish.p95),
      row(`p99 ms, publish -> receipt (target <= ${P99_LIMIT})`, (r) => r.fromPublish.p99),
      row('max ms, publish -> receipt', (r) => r.fromPublish.max),
      row('p50 ms, send -> receipt', (r) => r.fromSend.p50),
      row('p99 ms, send -> receipt', (r) => r.fromSend.p99),
      row('messages/s delivered', (r) => r.delivered / SECONDS, 0),
      {
        figure: 'dropped (expected - received)',
        baseline: dropped('baseline'),
        service: dropped('service'),
        ratio: '',
      },
      row(`client process CPU, % of ${CORES} cores`, (r) => r.clientCpuPct, 1, false),
      row('machine busy, % (all processes)', (r) => r.machinePct, 1, false),
    ],
    notes,
  };
}

export function meOf(k: number): string {
  return `49151${String(k).padStart(7, '0')}@c.us`;
}
export function contactOf(k: number): string {
  return `49170${String(k).padStart(7, '0')}@c.us`;
}
/** WAHA's id of event n of a run: the key every side's message is found by (same length always). */
export function keyOf(k: number, prefix: string, n: number): string {
  return `false_${contactOf(k)}_3EB0${prefix.toUpperCase()}${String(n).padStart(8, '0')}`;
}
export function keyIn(value: Record<string, unknown>, path: string[]): string | undefined {
  let at: unknown = value;
  for (const step of path) at = (at as Record<string, unknown> | null | undefined)?.[step];
  return typeof at === 'string' ? at : undefined;
}
export function dropSample(key: string, value: unknown): unknown {
  return key === 'sample' ? undefined : value;
}

/** An inbound WAHA `message` event from the session's one contact (openapi: WAHAWebhookMessage). */
export function eventBody(tenantId: string, sessionId: string, k: number, key: string): string {
  const ms = Date.now();
  return JSON.stringify(
    wahaEvent({
      id: `evt_${key.slice(-16)}_${k}`,
      timestamp: ms,
      event: 'message',
      session: sessionId,
      metadata: { 'whatsapp-hub.tenantId': tenantId, 'whatsapp-hub.sessionId': sessionId },
      me: { id: meOf(k), pushName: 'Bench Shop' },
      payload: {
        id: key,
        timestamp: Math.floor(ms / 1000),
        from: contactOf(k),
        fromMe: false,
        source: 'app',
        to: meOf(k),
        body: 'Hello, is order #100042 ready for pickup? I could come by this afternoon.',
        hasMedia: false,
        ack: 1,
        ackName: 'SERVER',
      },
    }),
  );
}

/** POSTs a signed body on a keep-alive agent: the status (0 on a transport error) and the answer. */
export function postSigned(
  agent: Agent,
  url: string,
  body: Buffer,
  signature: string,
): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'x-webhook-hmac': signature,
          'x-webhook-hmac-algorithm': 'sha512',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', (error) => resolve({ status: 0, text: String(error) }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, text: String(error) }));
    req.end(body);
  });
}

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat (100 ticks/s). */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The machine's CPU ticks so far, all cores: busy (not idle, not iowait) and total. */
export function machineTicks(): { busy: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}
