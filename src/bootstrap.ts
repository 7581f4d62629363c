import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { type INestApplication, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { type AppConfig } from './config/env.js';
import { migrateUp } from './database/migrate.js';
import { graphqlBodyParsers } from './common/graphql-body.js';
import { webhookBodyParsers } from './webhooks/webhook-body.js';
import { WEBHOOK_PATH } from './webhooks/webhooks.controller.js';

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Builds the application (migrated when configured), ready to `listen`. Used by main.ts and tests. */
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
  app.enableShutdownHooks();
  // Before the app's JSON parser (registered at init): the webhook's HMAC is over the raw bytes, with its own limit.
  app.use(`/${WEBHOOK_PATH}`, ...webhookBodyParsers(config));
  app.use(['/graphql', '/internal/graphql'], ...graphqlBodyParsers(config));
  if (config.migrationsRun) await migrateUp(app.get(MikroORM), new Logger('Migrations'));
  return app;
}
