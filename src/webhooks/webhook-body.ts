import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { type AppConfig } from '../config/env.js';

/** The webhook's answers other than success; WAHA only looks at the status, people at the code. */
export const WebhookErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_JSON: 'INVALID_JSON',
  NOT_A_WAHA_EVENT: 'NOT_A_WAHA_EVENT',
  METADATA_MISMATCH: 'METADATA_MISMATCH',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BAD_REQUEST: 'BAD_REQUEST',
  /**
   * 409: an edit or revoke of a message not stored yet (WAHA delivers unordered, and retries a
   * message it failed to deliver). Nothing is recorded, so WAHA's retries (15, backing off over
   * hours) apply it once the message is here.
   */
  MESSAGE_NOT_STORED: 'MESSAGE_NOT_STORED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type WebhookErrorCode = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

export function webhookError(res: Response, status: number, code: WebhookErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * The webhook reads its body as raw bytes (the HMAC is over exactly those bytes) with its own
 * limit, before the app's JSON parser, which then leaves the request alone. Parser failures
 * answer in the webhook's error shape, never as Express's HTML page or a stack trace.
 */
export function webhookBodyParsers(config: AppConfig): [RequestHandler, express.ErrorRequestHandler] {
  const limit = config.webhooks.maxBodyBytes;
  return [
    express.raw({ type: () => true, limit }),
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      const failure = error as { type?: string; status?: number; message?: string };
      if (failure.type === 'entity.too.large') {
        webhookError(res, 413, WebhookErrorCode.PAYLOAD_TOO_LARGE, `The body is larger than ${limit} bytes`);
        return;
      }
      if (typeof failure.status === 'number' && failure.status >= 400 && failure.status < 500) {
        webhookError(res, failure.status, WebhookErrorCode.BAD_REQUEST, 'The request body could not be read');
        return;
      }
      next(error);
    },
  ];
}
