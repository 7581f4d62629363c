import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { PublicAccess } from '../auth/access.decorators.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { WEBHOOK_PATH } from '../config/http-surface.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { answerProbe } from '../whatsapp-sessions/webhook-reachability.js';

/** The body as the bytes that were signed (webhookBodyParsers reads it raw). */
function rawBodyOf(req: Request & { rawBody?: Buffer }): Buffer {
  if (Buffer.isBuffer(req.body)) return req.body;
  return req.rawBody ?? Buffer.alloc(0);
}

/**
 * The whole endpoint: the probe, else the event, answered as WebhookIngestService says. Shared
 * by the controller and by WebhookFastPath (the middleware that serves the route ahead of
 * Nest's router), so both answer exactly alike.
 */
export async function answerWebhook(
  req: Request & { rawBody?: Buffer },
  res: Response,
  config: AppConfig,
  ingest: WebhookIngestService,
): Promise<void> {
  const header = req.headers['x-webhook-hmac'];
  const signature = Array.isArray(header) ? header[0] : header;
  const raw = rawBodyOf(req);
  const probe = answerProbe(raw, signature, config);
  if (probe) {
    res.status(200).json(probe);
    return;
  }
  const answer = await ingest.receive(raw, signature);
  res.status(answer.status).json(answer.body);
}

/**
 * Declares the route and its access rule. In the application, POST /webhooks/waha is served by
 * WebhookFastPath before it gets here (the same answers, without the guard, interceptor and
 * filter pipeline per event); this stays as the route's declaration and its fallback.
 */
@Controller()
export class WebhooksController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ingest: WebhookIngestService,
  ) {}

  @PublicAccess('WAHA signs each event with HMAC-SHA512; the handler verifies it')
  @Post(WEBHOOK_PATH)
  @HttpCode(200)
  async receive(@Req() req: Request & { rawBody?: Buffer }, @Res() res: Response): Promise<void> {
    await answerWebhook(req, res, this.config, this.ingest);
  }
}
