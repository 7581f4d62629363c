import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One clock for every process of a benchmark: process.hrtime is CLOCK_MONOTONIC, which is
 * system-wide on Linux, so a timestamp taken in the client process can be subtracted from one
 * taken in the orchestrator. Milliseconds, sub-microsecond resolution.
 */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Resident set size of a process, from /proc/<pid>/status (VmRSS), in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`No VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** This process's memory after full GCs (needs --expose-gc), as a server child reports it. */
export async function settledMemory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 4; i++) {
    gc?.();
    await sleep(150);
  }
  const usage = process.memoryUsage();
  return {
    rss: rssOf(process.pid),
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes: servers and clients run in processes of their own, driven over IPC.

interface Request {
  id: number;
  op: string;
  [key: string]: unknown;
}
interface Reply {
  id?: number;
  op?: string;
  ok?: boolean;
  result?: unknown;
  error?: string;
  [key: string]: unknown;
}

type Handler = (request: Request) => unknown;

/** Inside a child: answers the parent's requests with `handlers`; exits when the parent goes. */
export function serveParent(handlers: Record<string, Handler>): void {
  process.on('message', (message: Request) => {
    const handler = handlers[message.op];
    void (async () => {
      try {
        if (!handler) throw new Error(`Unknown op ${message.op}`);
        const result = await handler(message);
        process.send?.({ id: message.id, ok: true, result });
      } catch (error) {
        process.send?.({ id: message.id, ok: false, error: String((error as Error)?.stack ?? error) });
      }
    })();
  });
  // The orchestrator died or let go: nothing of ours may outlive it.
  process.on('disconnect', () => process.exit(0));
}

/** Inside a child: tells the parent it is up. */
export function announce(message: Record<string, unknown>): void {
  process.send?.({ op: 'ready', ...message });
}

/** A child process of the benchmark (a server or a client swarm), stoppable by its PID only. */
/**
 * BENCH_CPU_PROF=<dir>: the node flags that make a server process write a V8 CPU profile there
 * when it exits, named after it (for `where does the time go`); none when it is not set.
 */
export function cpuProfileArgs(name: string): string[] {
  const dir = process.env['BENCH_CPU_PROF'];
  if (!dir) return [];
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-name=${name.replace(/\W+/g, '-')}-${Date.now()}.cpuprofile`,
  ];
}

export class Child {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readyMessage: Promise<Reply>;
  private exited = false;

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    let onReady!: (reply: Reply) => void;
    this.readyMessage = new Promise<Reply>((resolve) => (onReady = resolve));
    process.on('message', (reply: Reply) => {
      if (reply.op === 'ready') return onReady(reply);
      const waiter = reply.id === undefined ? undefined : this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id!);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`${name}: ${reply.error}`));
    });
    process.on('exit', (code, signal) => {
      this.exited = true;
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`${name} exited (${code ?? signal}) with a request pending`));
      }
      this.pending.clear();
    });
  }

  /** Forks a compiled script next to this one (dist/test/bench/<script>.js). */
  static start(
    name: string,
    script: string,
    args: string[],
    env: Record<string, string> = {},
    execArgv: string[] = ['--expose-gc'],
    /** 'ignore': the child's stdout is discarded (a server logging every request, as in production). */
    stdout: 'inherit' | 'ignore' = 'inherit',
  ): Child {
    const child = fork(new URL(`./${script}.js`, import.meta.url), args, {
      env: { ...process.env, ...env },
      execArgv: script === 'server' ? [...execArgv, ...cpuProfileArgs(name)] : execArgv,
      stdio: ['ignore', stdout, 'inherit', 'ipc'],
    });
    return new Child(name, child);
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Waits for the child's `ready` announcement. */
  async ready(timeoutMs = 60_000): Promise<Reply> {
    return withTimeout(this.readyMessage, timeoutMs, `${this.name} did not start`);
  }

  request<T>(op: string, body: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    this.process.send({ id, op, ...body });
    return withTimeout(reply, timeoutMs, `${this.name}: ${op} timed out`);
  }

  /** SIGTERM by PID, SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited || this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = once(this.process, 'exit');
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} (after ${ms} ms)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A GraphQL request over HTTP; throws on GraphQL errors. */
export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL ${response.status}: ${JSON.stringify(body)}`);
  return body.data;
}

// ---------------------------------------------------------------------------------------------
// Figures.

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Median and range of one figure over repeated rounds. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, values: [...values] };
}

export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toFixed(digits);
}

/** "median [min–max]" */
export function fmtSpread(s: Spread, digits = 2): string {
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
}

export const MiB = 1024 * 1024;

/** A row of the final table: one figure of a benchmark, for the baseline and the service. */
export interface FigureRow {
  figure: string;
  baseline: string;
  service: string;
  ratio: string;
}

export interface BenchReport {
  name: string;
  target: string;
  /** service / baseline of the figure the target is about (median over rounds), and its range. */
  ratio: Spread | undefined;
  limit: number | undefined;
  /** The ratio must be at least `limit` (a rate), not at most (a latency, a size). */
  higherIsBetter?: boolean;
  /** Set when a guarantee the target includes did not hold (e.g. events lost): the verdict. */
  broken?: string;
  rows: FigureRow[];
  notes: string[];
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row, r) => {
      const line = row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
      return r === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}` : line;
    })
    .join('\n');
}
