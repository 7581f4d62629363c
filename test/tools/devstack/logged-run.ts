/**
 * The commands n8n's install and start run (npm install, the sqlite3 build, n8n's CLI): each with
 * its output in a log file, in a process group of its own, and failures told with the log's tail.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { killGroup, processGroupMembers, readTail, sleep, trackChildGroup } from './process.js';

/** Last `lines` lines of a file, read from its end only. */
export function tailFile(path: string, lines = 40): string {
  try {
    return readTail(path).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** Waits (briefly: SIGKILL cannot be ignored) until no process of the group is left. */
async function groupGone(pgid: number): Promise<boolean> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (processGroupMembers(pgid).length === 0) return true;
    await sleep(20);
  }
  return processGroupMembers(pgid).length === 0;
}

/**
 * Runs a command with its output appended to `logFile` (a file, not a pipe: n8n's CLI spun at
 * 100% CPU after EPIPE). Its own process group, so a timeout kills the whole tree; the same for
 * an abort, which rejects with the signal's reason once the group is gone. Every step run here
 * (npm install, sqlite3 build, n8n import) is only trusted after it exits 0, so killing one
 * outright (SIGKILL: npm ignored SIGTERM for 10+ s) leaves nothing the next run takes as done.
 */
export function runLogged(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    logFile: string;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
  },
): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const fd = openSync(options.logFile, 'a');
  writeFileSync(fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    const pgid = child.pid;
    const untrack = pgid !== undefined ? trackChildGroup(pgid) : () => undefined;
    let timedOut = false;
    let aborted = false;
    const kill = (): void => {
      if (pgid !== undefined) killGroup(pgid, 'SIGKILL');
    };
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error) => {
      settle();
      untrack();
      reject(new Error(`n8n-runtime: cannot run ${command}: ${error.message}`));
    });
    child.once('exit', (code, exitSignal) => {
      settle();
      // Anything the command left behind in its group goes with it, before the caller goes on
      // (an aborted install releases its lock next: no npm may still be writing then).
      kill();
      void (pgid !== undefined ? groupGone(pgid) : Promise.resolve(true)).then((gone) => {
        // One still there (stuck in the kernel) stays recorded for the exit hook.
        if (gone) untrack();
        if (aborted) reject(signal?.reason);
        else resolve({ code, signal: exitSignal, timedOut });
      });
    });
  });
}

export function describeFailure(what: string, result: RunResult, logFile: string): Error {
  const how = result.timedOut
    ? 'timed out'
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with ${result.code}`;
  return new Error(
    `n8n-runtime: ${what} ${how}. Full log: ${logFile}\n--- last lines ---\n${tailFile(logFile)}`,
  );
}

/** Forwards each line appended to `logFile` after offset `from`; the returned function stops it. */
export function startLogTail(logFile: string, from: number, onLog: (line: string) => void): () => void {
  let offset = from;
  let partial = '';
  const read = (): void => {
    let fd: number | undefined;
    try {
      fd = openSync(logFile, 'r');
      const size = fstatSync(fd).size;
      if (size <= offset) return;
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      const lines = (partial + buffer.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLog(line);
    } catch {
      // The log is rotated or gone: nothing to forward.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  const timer = setInterval(read, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    read();
    if (partial) onLog(partial);
  };
}
