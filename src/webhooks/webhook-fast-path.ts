import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { WebhookErrorCode } from './webhook-body.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { answerWebhook } from './webhooks.controller.js';
import { WEBHOOK_PATH } from '../config/http-surface.js';

/** `/webhooks/waha`, with a trailing slash or a query string as the router accepts them. */
const ROUTE = new RegExp(`^/${WEBHOOK_PATH}/?(\\?.*)?$`);

/**
 * Serves POST /webhooks/waha as a middleware, after the application's own middleware (request
 * log and request id, ORM request context) and before Nest's router: WAHA's events are the
 * service's hottest route, and the router's per-request pipeline (access guard, interceptors,
 * exception filters, parameter resolution) costs more than the event's own work.
 *
 * The access rule does not change: the route is public because every event is verified by its
 * HMAC (WebhookIngestService, before anything is read or stored), which the controller declares
 * with @PublicAccess. The answers are the controller's (answerWebhook); an unexpected failure
 * answers 500 in the webhook's error shape, with an id to find it in the log, and WAHA retries.
 */
@Injectable()
export class WebhookFastPath implements NestMiddleware {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ingest: WebhookIngestService,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    // Only the controller's own route; anything else goes on to the router as before.
    if (req.method !== 'POST' || !ROUTE.test(req.originalUrl)) {
      next();
      return;
    }
    answerWebhook(req, res, this.config, this.ingest).catch((error: unknown) => {
      const errorId = randomUUID();
      this.logger.error(
        `errorId=${errorId} webhook: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (res.headersSent) return;
      res.status(500).json({
        error: { code: WebhookErrorCode.INTERNAL_SERVER_ERROR, message: 'The event was not stored', errorId },
      });
    });
  }
}
