import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Whether a process with this pid exists (EPERM: it does, but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The last `maxBytes` of a file, read from its end only (logs can be large). */
export function readTail(path: string, maxBytes = 64 * 1024): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A free TCP port on 127.0.0.1 (for a process that must know its port before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends `signal` to every process of the group led by `pgid`; a group already gone is fine. */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * The process groups of the children the runners started detached (npm, n8n's CLI, n8n itself).
 * Detached, a terminal's Ctrl-C never reaches them and nothing kills them when this process
 * ends: they would run on as orphans. So every one is recorded here until it is gone.
 */
const childGroups = new Set<number>();
let exitHookInstalled = false;

/** Records a group for killAllChildGroups; the returned function forgets it again. */
export function trackChildGroup(pgid: number): () => void {
  childGroups.add(pgid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Also for a process that exits without the runner's forced path (a crash, process.exit).
    process.once('exit', killAllChildGroups);
  }
  return () => {
    childGroups.delete(pgid);
  };
}

/**
 * SIGKILL to every recorded group, synchronously: for a forced exit, where no event-loop turn
 * follows to wait for a graceful stop. Whatever a group was doing (an install, an import) is
 * redone by the next run, which trusts only what completed.
 */
export function killAllChildGroups(): void {
  for (const pgid of childGroups) killGroup(pgid, 'SIGKILL');
  childGroups.clear();
}

/** A pause that an abort ends early, rejecting with an `AbortError` (Node's own abortable timer). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : undefined);
}

/** Processes whose process group is `pgid` (Linux /proc). */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which sits in parentheses and may itself contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = fields[0];
      if (Number(fields[2]) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** Resident memory of a process, in bytes (0 once it is gone). */
export function rssOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}
