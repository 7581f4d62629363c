import 'reflect-metadata';
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MikroORM } from '@mikro-orm/core';
import { type INestApplication, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { DRAIN_TIMEOUT_MS, ShutdownGate } from './health/shutdown-gate.js';
import { RealtimeService } from './realtime/realtime.service.js';
import { type AppConfig } from './config/env.js';
import { migrateUp } from './database/migrate.js';
import { graphqlBodyParsers } from './graphql/graphql-body.js';
import { webhookBodyParsers } from './webhooks/webhook-body.js';
import { WebhookRoute } from './webhooks/webhook-route.js';
import { WEBHOOK_PATH } from './config/http-surface.js';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the application (migrated when configured), ready to `listen`. Used by main.ts and tests.
 * It installs no signal handlers (Nest's enableShutdownHooks would close the listener first):
 * main.ts calls `stopOnSignals`; other owners stop it with `shutDown` (or `app.close()`).
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Without an explicit logger, Nest's own messages go through pino (JSON) once it is up.
    ...(options.logger === undefined ? { bufferLogs: true } : { logger: options.logger }),
    rawBody: true,
  });
  if (options.logger === undefined) app.useLogger(app.get(PinoLogger));
  // First of all: a stopping replica refuses new work before anything else runs for it.
  app.use(app.get(ShutdownGate).middleware);
  // Before the app's JSON parser (registered at init): the webhook's HMAC is over the raw bytes, with
  // its own limit. (For what WebhookRoute leaves to Express: the route itself is served ahead of it.)
  app.use(`/${WEBHOOK_PATH}`, ...webhookBodyParsers(config));
  app.use(['/graphql', '/internal/graphql'], ...graphqlBodyParsers(config));
  serveWebhooksAheadOfExpress(app);
  if (config.migrationsRun) await migrateUp(app.get(MikroORM), new Logger('Migrations'));
  return app;
}

/**
 * POST /webhooks/waha, WAHA's events and the service's hottest route, is served on the HTTP
 * server's own 'request' event before Express sees it (WebhookRoute: the same gate, request id,
 * body limit and answers, without Express's per-request work); every other request goes to the
 * Express app exactly as before. The upgrade listener (graphql-ws) is not touched.
 */
function serveWebhooksAheadOfExpress(app: NestExpressApplication): void {
  const server = app.getHttpServer() as Server;
  const express = app.getHttpAdapter().getInstance() as (req: IncomingMessage, res: ServerResponse) => void;
  if (!server.listeners('request').includes(express)) {
    throw new Error(
      'The HTTP server does not serve the Express app; the webhook route cannot go ahead of it',
    );
  }
  const webhooks = app.get(WebhookRoute);
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!webhooks.serve(req, res)) express(req, res);
  });
}

const stopping = new WeakMap<INestApplication, Promise<void>>();

/**
 * Stops a replica without cutting anyone off (what SIGTERM runs; see `stopOnSignals`):
 * 1. readiness goes down and new requests are refused with a retryable 503 (ShutdownGate);
 * 2. live streams end, so a create waiting for its first QR answers with the session as stored;
 * 3. the requests already taken run to completion and are answered (up to DRAIN_TIMEOUT_MS);
 * 4. only then does Nest close: GraphQL, the outbox delivery in flight, the listener, Redis and
 *    the database pool.
 * Nest's own app.close() alone closes the listener first, resetting connections not yet
 * accepted and failing the webhook probe of creates still in flight.
 */
export function shutDown(app: INestApplication, signal?: string): Promise<void> {
  let done = stopping.get(app);
  if (!done) {
    done = drainThenClose(app, signal);
    stopping.set(app, done);
  }
  return done;
}

async function drainThenClose(app: INestApplication, signal: string | undefined): Promise<void> {
  const logger = new Logger('Shutdown');
  const gate = app.get(ShutdownGate);
  gate.stop();
  logger.log(
    `${signal ?? 'Stop'}: not ready, refusing new requests; answering the ${gate.inFlight} in flight`,
  );
  app.get(RealtimeService).endAllStreams();
  if (!(await gate.drained(DRAIN_TIMEOUT_MS))) {
    logger.warn(`${gate.inFlight} requests still running after ${DRAIN_TIMEOUT_MS} ms; closing anyway`);
  }
  await app.close();
}

/** On SIGTERM, SIGINT or SIGHUP: `shutDown`, then exit by the same signal. A second signal ends the process at once. */
export function stopOnSignals(app: INestApplication): void {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of signals) process.removeListener(s, onSignal);
    shutDown(app, signal).then(
      () => process.kill(process.pid, signal),
      (error: unknown) => {
        new Logger('Shutdown').error(
          `Stopping failed: ${error instanceof Error ? error.stack : String(error)}`,
        );
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
