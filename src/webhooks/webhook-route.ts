import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Logger as PinoRoot } from 'pino';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { isWebhookUrl } from '../config/http-surface.js';
import { ShutdownGate } from '../health/shutdown-gate.js';
import { logServedRequest, requestId } from '../observability/logging.js';
import {
  bodyFailureAnswer,
  type JsonAnswer,
  sendJson,
  webhookBodyReader,
  WebhookErrorCode,
} from './webhook-body.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { answerWebhook } from './webhooks.controller.js';

type WebhookRequest = IncomingMessage & { body?: unknown };

/**
 * Serves POST /webhooks/waha on the HTTP server itself, ahead of Express (bootstrap.ts hands
 * every other request to Express unchanged): WAHA's events are the service's hottest route, and
 * Express's per-request work (its request and response setup, the router, the app's middleware
 * chain) cost the event more CPU than its HMAC, parsing and validation together.
 *
 * What the route did through Express, it still does:
 * 1. the ShutdownGate before anything else: a stopping replica refuses with its retryable 503 (the probe of a
 *    create it already took excepted), and the requests it takes are counted for the drain;
 * 2. the request id (`x-request-id`) and the request log, in the request log's own format;
 *    a 2xx at debug, a refusal or failure at warn/error (logging.ts); now also for a body
 *    refused by the reader, which Express answered before its request logger ran;
 * 3. the raw body within WEBHOOK_MAX_BODY_BYTES, refused in the webhook's error shape (413);
 * 4. the controller's answers (answerWebhook) in a MikroORM request context and a request-scoped
 *    logger, as the app's middleware gave them.
 *
 * The access rule does not change: the route is public because every event is verified by its
 * HMAC (WebhookIngestService, before anything is read or stored), which the controller declares
 * with @PublicAccess. An unexpected failure answers 500 in the webhook's error shape, with an id
 * to find it in the log (never a stack), and WAHA retries.
 */
@Injectable()
export class WebhookRoute {
  private readonly logger = new Logger('Webhooks');
  private readonly readBody: ReturnType<typeof webhookBodyReader>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ingest: WebhookIngestService,
    private readonly gate: ShutdownGate,
    private readonly orm: MikroORM,
    private readonly pino: PinoLogger,
  ) {
    this.readBody = webhookBodyReader(config);
  }

  /** Serves `req` if it is this route's (true), else leaves it alone for Express (false). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || !isWebhookUrl(req.url ?? '')) return false;
    this.gate.middleware(req, res, () => this.take(req, res));
    return true;
  }

  private take(req: WebhookRequest, res: ServerResponse): void {
    const startedAt = Date.now();
    req.id = requestId(req, res);
    res.once('close', () => {
      const root: PinoRoot | undefined = PinoLogger.root;
      if (root) logServedRequest(root, req, res, startedAt);
    });
    try {
      this.readBody(req, res, (error?: unknown) => {
        if (error === undefined) this.answer(req, res);
        else this.send(res, bodyFailureAnswer(error, this.config) ?? this.failure(error));
      });
    } catch (error) {
      this.send(res, this.failure(error));
    }
  }

  private answer(req: WebhookRequest, res: ServerResponse): void {
    const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
    // The request's log context (its `req` on every line logged for it) and ORM context, as the
    // app's middleware (nestjs-pino, MikroORM) gives every request that goes through Express.
    this.pino
      .runInContext(
        () =>
          RequestContext.create(this.orm.em, () => answerWebhook(raw, req.headers, this.config, this.ingest)),
        {
          bindings: { req },
        },
      )
      .then(
        (answer) => this.send(res, answer),
        (error: unknown) => this.send(res, this.failure(error)),
      );
  }

  private send(res: ServerResponse, answer: JsonAnswer): void {
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    sendJson(res, answer);
  }

  /** A failure of ours: logged with an id, answered with that id only. */
  private failure(error: unknown): JsonAnswer {
    const errorId = randomUUID();
    this.logger.error(
      `errorId=${errorId} webhook: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    const body = {
      error: { code: WebhookErrorCode.INTERNAL_SERVER_ERROR, message: 'The event was not stored', errorId },
    };
    return { status: 500, body };
  }
}
