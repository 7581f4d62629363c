import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type ProgressFn } from './n8n-environment.js';
import { isAlive, sleep } from './process.js';

const LOCK_STALE_MS = 60_000;
const LOCK_HEARTBEAT_MS = 5_000;

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/**
 * One installer at a time per cache folder, across processes (jest workers, two scripts):
 * `mkdir` is atomic. The owner refreshes the folder's mtime; a lock whose owner died on this host,
 * or whose mtime stopped moving, is stale and taken over.
 */
export async function withInstallLock<T>(
  lockDir: string,
  timeoutMs: number,
  progress: ProgressFn,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const token = randomBytes(8).toString('hex');
  let lastReport = 0;
  for (;;) {
    signal?.throwIfAborted();
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(readFileSync(join(lockDir, 'owner.json'), 'utf8')) as LockOwner;
    } catch {
      // Just created, owner not written yet, or the lock went away: judged by mtime alone.
    }
    let ageMs: number;
    try {
      ageMs = Date.now() - statSync(lockDir).mtimeMs;
    } catch {
      continue; // Released in the meantime.
    }
    const ownerDead = owner !== undefined && owner.host === hostname() && !isAlive(owner.pid);
    if (ownerDead || ageMs > LOCK_STALE_MS) {
      progress(`n8n install: taking over a stale install lock (${owner ? `pid ${owner.pid}` : 'no owner'})`);
      const aside = `${lockDir}.stale-${process.pid}-${token}`;
      try {
        renameSync(lockDir, aside);
        rmSync(aside, { recursive: true, force: true });
      } catch {
        // Another waiter took it over first.
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `n8n-runtime: gave up waiting for another n8n install (lock ${lockDir}, pid ${owner?.pid})`,
      );
    }
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      progress(`n8n install: waiting for another installer (pid ${owner?.pid ?? '?'}) to finish`);
    }
    await sleep(1_000, signal);
  }

  writeFileSync(
    join(lockDir, 'owner.json'),
    JSON.stringify({ pid: process.pid, host: hostname(), token } satisfies LockOwner),
  );
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockDir, now, now);
    } catch {
      // Taken over after all: the install continues, the next run will verify it.
    }
  }, LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    rmSync(lockDir, { recursive: true, force: true });
  }
}
