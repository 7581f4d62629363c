/**
 * The outbox-throughput benchmark's knobs, the figures of one run, and its report (see
 * outbox-throughput.ts and the README's section 4).
 */
import {
  type BenchReport,
  fmt,
  fmtSpread,
  type FigureRow,
  now,
  type Percentiles,
  spread,
} from './support.js';

export const RATE = Number(process.env['BENCH_OUTBOX_RATE'] ?? 500);
export const SECONDS = Number(process.env['BENCH_OUTBOX_SECONDS'] ?? 60);
export const SESSIONS = Number(process.env['BENCH_OUTBOX_SESSIONS'] ?? 50);
export const WARMUP = Number(process.env['BENCH_OUTBOX_WARMUP'] ?? 5);
export const REPLICAS = (process.env['BENCH_OUTBOX_REPLICAS'] ?? '1,2').split(',').map(Number);
/** How the service's commands are written: 'enqueue' (OutboxService.enqueue in a transaction, in the replica) or 'webhook'. */
export const PRODUCER = process.env['BENCH_OUTBOX_PRODUCER'] === 'webhook' ? 'webhook' : 'enqueue';
export const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
export const TARGET_MS = 100;
export const DRAIN_TIMEOUT_MS = 120_000;

export interface Run {
  /** Commands committed per second, and received by n8n per second, over the measured part. */
  writeRate: number;
  deliverRate: number;
  /** From the commit; 'webhook': from the webhook's send (≥ the true lag). */
  lag: Percentiles;
  /** 'webhook': from the webhook's 2xx (≤ the true lag). */
  lagAck: Percentiles | undefined;
  /** p99 of how late the producer sent against its schedule, ms. */
  lateP99: number;
  lost: number;
  doubled: number;
  disorder: number;
  refused: number;
  /** CPU, % of one core: the server processes (the replicas, or the bare process), their PostgreSQL backends; machine busy %. */
  cpu: number;
  pgCpu: number;
  machine: number;
  drainMs: number;
}

export function report(
  rounds: Map<number | 'baseline', Run>[],
  notes: string[],
  strays: number,
  started: number,
): BenchReport {
  const base = rounds.map((r) => r.get('baseline')!);
  const rows: FigureRow[] = [];
  const totals = (runs: Run[]) =>
    `${sum(runs, 'lost')} / ${sum(runs, 'doubled')} / ${sum(runs, 'disorder')}` +
    (sum(runs, 'refused') ? ` (${sum(runs, 'refused')} writes refused)` : '');
  for (const replicas of REPLICAS) {
    const svc = rounds.map((r) => r.get(replicas)!);
    const c = `${replicas} replica${replicas > 1 ? 's' : ''}`;
    const row = (figure: string, pick: (run: Run) => number, digits = 1, withRatio = true): FigureRow => ({
      figure,
      baseline: fmtSpread(spread(base.map(pick)), digits),
      service: fmtSpread(spread(svc.map(pick)), digits),
      ratio: withRatio ? fmtSpread(spread(svc.map((s, i) => pick(s) / pick(base[i]!)))) : '',
    });
    rows.push(
      row(`commands/s committed (${RATE} asked), ${c}`, (r) => r.writeRate, 0),
      row(`commands/s received by n8n, ${c}`, (r) => r.deliverRate, 0),
      row(
        `lag p50 ms${PRODUCER === 'webhook' ? ' (service: from webhook sent)' : ''}, ${c}`,
        (r) => r.lag.p50,
      ),
      row(`lag p95 ms, ${c}`, (r) => r.lag.p95),
      row(`lag p99 ms (target < ${TARGET_MS}), ${c}`, (r) => r.lag.p99),
      row(`lag max ms, ${c}`, (r) => r.lag.max),
      ...(PRODUCER === 'webhook'
        ? [
            {
              figure: `lag p50 / p99 ms from the webhook's 2xx, ${c}`,
              baseline: '-',
              service: `${fmtSpread(spread(svc.map((r) => r.lagAck!.p50)))} / ${fmtSpread(spread(svc.map((r) => r.lagAck!.p99)))}`,
              ratio: '',
            },
          ]
        : []),
      row(`server CPU, % of one core, ${c}`, (r) => r.cpu, 0),
      row(`its PostgreSQL backends' CPU, % of one core, ${c}`, (r) => r.pgCpu, 0),
      row(`machine CPU busy % (2 cores), ${c}`, (r) => r.machine, 0, false),
      row(`producer late vs schedule p99 ms, ${c}`, (r) => r.lateP99, 1, false),
      row(`all delivered, ms after the last write, ${c}`, (r) => r.drainMs, 0, false),
      {
        figure: `lost or not delivered in ${DRAIN_TIMEOUT_MS / 1000} s / doubled / out of order, ${c}`,
        baseline: totals(base),
        service: totals(svc),
        ratio: '',
      },
    );
  }
  const all = rounds.flatMap((r) => [...r.values()]);
  const failures = [
    sum(all, 'lost') &&
      `${sum(all, 'lost')} lost or not delivered ${DRAIN_TIMEOUT_MS / 1000} s after the run`,
    sum(all, 'doubled') && `${sum(all, 'doubled')} doubled`,
    sum(all, 'disorder') && `${sum(all, 'disorder')} out of order`,
    sum(all, 'refused') && `${sum(all, 'refused')} writes refused`,
    ...REPLICAS.map((k) => {
      const rate = Math.min(...rounds.map((r) => r.get(k)!.writeRate));
      return rate < RATE * 0.95 && `${k} replica(s) committed only ${fmt(rate, 0)}/s`;
    }),
  ].filter(Boolean);
  notes.push(
    `${RATE} commands/s for ${SECONDS} s (after a drained ${WARMUP} s warm-up at that rate) over ${SESSIONS} sessions, ` +
      `${ROUNDS} rounds; service's commands: ${
        PRODUCER === 'webhook'
          ? 'WAHA message events through POST /webhooks/waha'
          : 'OutboxService.enqueue in a transaction, in the replicas'
      } (message.received); ` +
      `ratio column = service/baseline; verdict ratio = worst service lag p99 / ${TARGET_MS} ms` +
      (strays ? `; ${strays} receipts outside their run` : '') +
      `; ${fmt((now() - started) / 1000, 0)} s in all`,
  );
  return {
    name: 'outbox-throughput',
    target: `outbox ${RATE} cmd/s for ${SECONDS} s, ${REPLICAS.join(' and ')} replica(s): lag p50/p99 < ${TARGET_MS} ms, none lost/doubled/out of order`,
    ratio: spread(rounds.map((r) => Math.max(...REPLICAS.map((k) => r.get(k)!.lag.p99)) / TARGET_MS)),
    limit: 1,
    ...(failures.length > 0 ? { broken: failures.join(', ') } : {}),
    rows,
    notes,
  };
}

function sum(runs: Run[], field: 'lost' | 'doubled' | 'disorder' | 'refused'): number {
  return runs.reduce((n, r) => n + r[field], 0);
}
