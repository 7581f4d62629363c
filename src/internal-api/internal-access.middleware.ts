import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { secretsEqual } from '../auth/access.guard.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { INTERNAL_KEY_HEADER } from '../config/http-surface.js';

/** `::ffff:127.0.0.1` and `127.0.0.1` are one caller. */
export function normalizeIp(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

/**
 * Guards the whole internal endpoint before GraphQL runs, so nobody without n8n's key
 * (and, when configured, an allowed address) can even introspect it. The answer is
 * GraphQL-shaped, so n8n's GraphQL node fails with a readable reason.
 */
@Injectable()
export class InternalAccessMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const { allowedIps, key } = this.config.internalApi;
    const address = normalizeIp(req.socket.remoteAddress);
    if (allowedIps.length > 0 && !allowedIps.map(normalizeIp).includes(address)) {
      res.status(403).json({
        errors: [
          { message: 'This address may not call the internal API', extensions: { code: 'FORBIDDEN' } },
        ],
      });
      return;
    }
    const given = req.headers[INTERNAL_KEY_HEADER];
    const value = Array.isArray(given) ? given[0] : given;
    if (!value || !secretsEqual(value, key)) {
      res.status(401).json({
        errors: [
          { message: 'A valid internal API key is required', extensions: { code: 'UNAUTHENTICATED' } },
        ],
      });
      return;
    }
    next();
  }
}
