import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { PublicAccess } from '../auth/access.decorators.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { answerProbe } from './webhook-probe.js';

export const WEBHOOK_PATH = 'webhooks/waha';

/** The body as the bytes that were signed (webhookBodyParsers reads it raw). */
function rawBodyOf(req: Request & { rawBody?: Buffer }): Buffer {
  if (Buffer.isBuffer(req.body)) return req.body;
  return req.rawBody ?? Buffer.alloc(0);
}

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
    const header = req.headers['x-webhook-hmac'];
    const signature = Array.isArray(header) ? header[0] : header;
    const raw = rawBodyOf(req);
    const probe = answerProbe(raw, signature, this.config);
    if (probe) {
      res.status(200).json(probe);
      return;
    }
    const answer = await this.ingest.receive(raw, signature);
    res.status(answer.status).json(answer.body);
  }
}
