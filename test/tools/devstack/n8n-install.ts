/**
 * n8n is installed from `n8n/runtime/package.json` + lockfile into a cache folder outside the repo
 * (2,000+ packages, about 2 GB, Sustainable Use License: test tooling, never a dependency of the
 * service). The facts behind every flag below are in RUNNING-N8N.md.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeFailure, runLogged, tailFile } from './logged-run.js';
import {
  cleanEnv,
  n8nCacheDir,
  n8nNodeBinary,
  n8nRuntimeSourceDir,
  nodeAbi,
  nodeHeadersDir,
  pinnedN8nVersion,
  type ProgressFn,
} from './n8n-environment.js';
import { withInstallLock } from './n8n-install-lock.js';

const MARKER_FILE = '.whatsapp-hub-install.json';
const INSTALL_LOG = 'install.log';

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
