/**
 * A real n8n for the end-to-end tests and the local whole-system run: `startN8n` installs it if
 * needed (n8n-install.ts), imports credentials and workflows (n8n-import.ts), starts it on
 * loopback and stops it again. The facts behind every flag and variable are in RUNNING-N8N.md.
 *
 * Node built-ins only, so scripts and jest can both import it without Nest.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFailure, runLogged, startLogTail, tailFile } from './logged-run.js';
import { cleanEnv, type ProgressFn } from './n8n-environment.js';
import { type ImportFiles, importIntoUserFolder, resolveEncryptionKey } from './n8n-import.js';
import { ensureN8nInstalled, type N8nInstallation } from './n8n-install.js';
import { freePort, killGroup, processGroupMembers, rssOf, sleep, trackChildGroup } from './process.js';

// What the tests and the runner import, from the one module that names n8n's runtime.
export { n8nCacheDir, n8nRuntimeSourceDir, pinnedN8nVersion, type ProgressFn } from './n8n-environment.js';
export { ensureN8nInstalled, type EnsureN8nInstalledOptions, type N8nInstallation } from './n8n-install.js';
export { processGroupMembers } from './process.js';

const N8N_LOG = 'n8n.log';

/** The files to import (`ImportFiles`) and how to run n8n. */
export interface StartN8nOptions extends ImportFiles {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to a fresh temporary folder. Reuse one (after stop) to keep n8n's database. */
  userFolder?: string;
  /** Defaults to the key remembered in the user folder, else a new random one. */
  encryptionKey?: string;
  /** Added last, so it can override any default below. */
  env?: Record<string, string>;
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

  const workflowIds = options.skipImport
    ? []
    : await importIntoUserFolder(userFolder, options, cli, progress);

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
