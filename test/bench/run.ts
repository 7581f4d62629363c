/**
 * `npm run bench [-- <name>...]`: runs the benchmarks (all, or those named) and prints their
 * figures beside a raw baseline measured side by side, with the ratio against each target.
 * Benchmarks report, they do not assert: the exit code is 0 whatever the figures.
 *
 * Knobs (env): BENCH_ROUNDS (3), BENCH_SUBSCRIBERS (1000), BENCH_REPORTS (40),
 * BENCH_IDLE_SOCKETS (10000), BENCH_WEBHOOK_EVENTS (2000), BENCH_WEBHOOK_CONCURRENCY (16,64),
 * BENCH_FANOUT_SUBSCRIBERS (10000), BENCH_FANOUT_SECONDS (60), BENCH_FANOUT_SESSIONS (100),
 * BENCH_FANOUT_FEED (webhook | redis),
 * BENCH_LOG_LEVEL (info), BENCH_GROWTH_SIZES (10000,100000,1000000), BENCH_GROWTH_EVENTS (2000),
 * BENCH_GROWTH_QUERIES (200), BENCH_OUTBOX_RATE (500), BENCH_OUTBOX_SECONDS (60),
 * BENCH_OUTBOX_SESSIONS (50), BENCH_OUTBOX_WARMUP (5), BENCH_OUTBOX_REPLICAS (1,2),
 * BENCH_OUTBOX_PRODUCER (enqueue | webhook). See test/bench/README.md.
 */
import { cpus, loadavg } from 'node:os';
import { growth } from './growth.js';
import { idleSubscriptionsMemory } from './idle-subscriptions-memory.js';
import { liveFanout } from './live-fanout.js';
import { outboxThroughput } from './outbox-throughput.js';
import { qrLatency } from './qr-latency.js';
import { webhookIngestion } from './webhook-ingestion.js';
import { type BenchReport, fmt, fmtSpread, table } from './support.js';

const BENCHMARKS: Record<string, () => Promise<BenchReport>> = {
  'qr-latency': qrLatency,
  'idle-subscriptions-memory': idleSubscriptionsMemory,
  'webhook-ingestion': webhookIngestion,
  'live-fanout': liveFanout,
  growth,
  'outbox-throughput': outboxThroughput,
};

/** Targets that have no benchmark here yet, and why (printed so the table is never silently short). */
const NOT_BUILT: Record<string, string> = {
  'chats-sql-count': 'not built: out of this benchmark set (50 chats with last messages in <= 3 SQL)',
};

const names = process.argv.slice(2);
const unknown = names.filter((name) => !BENCHMARKS[name] && !NOT_BUILT[name]);
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHMARKS).join(', ')}`);
}
const selected = names.length > 0 ? names.filter((name) => BENCHMARKS[name]) : Object.keys(BENCHMARKS);

console.log(
  `whatsapp-hub benchmarks — ${new Date().toISOString()} — node ${process.version}, ` +
    `${cpus().length} CPU(s), load ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
);
console.log('Figures: median [min–max] over rounds; ratio = service / baseline per round.\n');

const summary: string[][] = [['benchmark', 'target', 'ratio (median [range])', 'limit', 'verdict']];
for (const name of selected) {
  console.log(`== ${name}`);
  try {
    const report = await BENCHMARKS[name]!();
    console.log(
      table([
        ['figure', 'baseline', 'service', 'service/baseline'],
        ...report.rows.map((r) => [r.figure, r.baseline, r.service, r.ratio]),
      ]),
    );
    for (const note of report.notes) console.log(`  note: ${note}`);
    // How far the ratio is from its limit (> 1: worse), whichever way the target points.
    const off = (value: number) =>
      report.limit === undefined ? NaN : report.higherIsBetter ? report.limit / value : value / report.limit;
    const verdict = report.broken
      ? `NOT met: ${report.broken}`
      : report.ratio && report.limit !== undefined
        ? off(report.ratio.median) > 1
          ? `missed by ${fmt(off(report.ratio.median), 2)}x`
          : Math.max(off(report.ratio.min), off(report.ratio.max)) > 1
            ? 'met at the median, not in every round'
            : 'met'
        : 'n/a';
    summary.push([
      name,
      report.target,
      report.ratio ? fmtSpread(report.ratio) : 'n/a',
      report.limit === undefined ? '' : `${report.higherIsBetter ? '>= ' : ''}${report.limit}x`,
      verdict,
    ]);
  } catch (error) {
    console.error(`  ${name} failed:`, error);
    summary.push([name, '', 'failed', '', 'n/a']);
  }
  console.log('');
}
if (names.length === 0) {
  for (const [name, why] of Object.entries(NOT_BUILT)) summary.push([name, why, 'n/a', '', '']);
}
console.log(table(summary));
process.exit(0);
