import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { PublicAccess } from '../auth/access.decorators.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { answerProbe } from './webhook-probe.js';

export const WEBHOOK_PATH = 'webhooks/waha';

@Controller()
export class WebhooksController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @PublicAccess('WAHA signs each event with HMAC-SHA512; the handler verifies it')
  @Post(WEBHOOK_PATH)
  @HttpCode(200)
  receive(@Req() req: Request & { rawBody?: Buffer }, @Res() res: Response): void {
    const signature = req.headers['x-webhook-hmac'];
    const probe = answerProbe(
      req.rawBody ?? Buffer.alloc(0),
      Array.isArray(signature) ? signature[0] : signature,
      this.config,
    );
    if (probe) {
      res.status(200).json(probe);
      return;
    }
    res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'Invalid webhook signature' } });
  }
}
