import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { type INestApplication, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { type AppConfig } from './config/env.js';
import { migrateUp } from './database/migrate.js';
import { webhookBodyParsers } from './webhooks/webhook-body.js';
import { WEBHOOK_PATH } from './webhooks/webhooks.controller.js';

const NEST_LEVELS: Record<AppConfig['logLevel'], LogLevel[] | false> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  silent: false,
};

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Builds the application (migrated when configured), ready to `listen`. Used by main.ts and tests. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger ?? NEST_LEVELS[config.logLevel],
    rawBody: true,
  });
  app.enableShutdownHooks();
  // Before the app's JSON parser (registered at init): the webhook's HMAC is over the raw bytes, with its own limit.
  app.use(`/${WEBHOOK_PATH}`, ...webhookBodyParsers(config));
  if (config.migrationsRun) await migrateUp(app.get(MikroORM), new Logger('Migrations'));
  return app;
}
