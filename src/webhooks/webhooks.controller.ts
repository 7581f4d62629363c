import { type IncomingHttpHeaders } from 'node:http';
import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { PublicAccess } from '../auth/access.decorators.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { WEBHOOK_PATH } from '../config/http-surface.js';
import { type JsonAnswer } from './webhook-body.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { answerProbe } from '../whatsapp-sessions/webhook-reachability.js';

const NO_BODY = Buffer.alloc(0);

/**
 * The whole endpoint: the probe, else the event, answered as WebhookIngestService says. `raw` is
 * the body as the bytes that were signed (webhookBodyReader reads it raw; none, when there was
 * none). Shared by WebhookRoute (which serves the route on node:http, ahead of Express) and by
 * the controller, so both answer exactly alike.
 */
export async function answerWebhook(
  raw: Buffer | undefined,
  headers: IncomingHttpHeaders,
  config: AppConfig,
  ingest: WebhookIngestService,
): Promise<JsonAnswer> {
  const header = headers['x-webhook-hmac'];
  const signature = Array.isArray(header) ? header[0] : header;
  const body = raw ?? NO_BODY;
  const probe = answerProbe(body, signature, config);
  if (probe) return { status: 200, body: probe };
  return ingest.receive(body, signature);
}

/** The body as the bytes that were signed, if webhookBodyParsers read one. */
function rawBodyOf(req: Request & { rawBody?: Buffer }): Buffer | undefined {
  return Buffer.isBuffer(req.body) ? req.body : req.rawBody;
}

/**
 * Declares the route and its access rule. In the application, POST /webhooks/waha is served by
 * WebhookRoute on the HTTP server before Express sees it (the same answers, without Express,
 * the router and the guard, interceptor and filter pipeline per event); this stays as the
 * route's declaration and serves what the bare route leaves to Express (the path in other
 * letter case, which Express's router matches too).
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
    const answer = await answerWebhook(rawBodyOf(req), req.headers, this.config, this.ingest);
    res.status(answer.status).json(answer.body);
  }
}
