/**
 * What `npm run dev` reads from its environment (its own variables; the service's are parseEnv's),
 * and the small helpers its parts share: one output prefix, a cancellation, port and URL display.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../../src/config/env.js';

export const say = (line: string): void => {
  process.stdout.write(`[dev] ${line}\n`);
};

export class Cancelled extends Error {
  constructor() {
    super('cancelled by a stop signal');
  }
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'n8n'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('devstack: cannot find the repository root above this module');
    dir = parent;
  }
}

function portVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new ConfigError([`${name} must be a port from 1 to 65535, got ${JSON.stringify(raw)}`]);
  }
  return port;
}

export interface DevSettings {
  root: string;
  dataDir: string;
  tenant: string;
  simPort: number;
  simTimeScale: number;
  n8nPort: number;
  pgPort: number;
  pgProbeUrl: string;
}

export function readSettings(env: NodeJS.ProcessEnv): DevSettings {
  const root = repoRoot();
  const timeScaleRaw = env['WAHA_SIM_TIME_SCALE']?.trim();
  const simTimeScale = timeScaleRaw ? Number(timeScaleRaw) : 1;
  // The service's WAHA_TIME_SCALE takes the same value: the same range.
  if (!(simTimeScale >= 0.001 && simTimeScale <= 1000)) {
    throw new ConfigError([
      `WAHA_SIM_TIME_SCALE must be a number from 0.001 to 1000, got ${JSON.stringify(timeScaleRaw)}`,
    ]);
  }
  return {
    root,
    dataDir: resolve(env['DEV_DATA_DIR']?.trim() || join(root, '.data')),
    tenant: env['DEV_TENANT']?.trim() || 'demo',
    simPort: portVar(env, 'WAHA_SIM_PORT', 3001),
    simTimeScale,
    n8nPort: portVar(env, 'N8N_PORT', 5678),
    pgPort: portVar(env, 'DEV_PG_PORT', 54329),
    pgProbeUrl: env['DEV_PG_PROBE_URL']?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

export function assertPortFree(port: number, variable: string, what: string): Promise<void> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        new Error(
          `port ${port} for ${what} is taken on 127.0.0.1 (${error.code}): stop what uses it, or set ${variable}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => done()));
  });
}

/** Relative to the working directory when inside it (`.data/postgres`), else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}
