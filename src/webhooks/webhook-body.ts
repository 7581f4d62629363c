import { type IncomingMessage, type ServerResponse } from 'node:http';
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

/** An answer of the webhook route: its status and its JSON body. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Writes `answer` with node:http alone (the route is served ahead of Express, see webhook-route.ts). */
export function sendJson(res: ServerResponse, answer: JsonAnswer): void {
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/**
 * The raw-body reader of the webhook: body-parser's (Express's `raw`), which needs nothing of
 * Express and so also serves the bare route. The body is read as bytes (the HMAC is over exactly
 * those bytes) whatever its content type, inflated when encoded, within the webhook's own limit;
 * a request without a body leaves `req.body` undefined.
 */
export function webhookBodyReader(
  config: AppConfig,
): (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: (error?: unknown) => void) => void {
  return express.raw({ type: () => true, limit: config.webhooks.maxBodyBytes }) as never;
}

/**
 * The answer to a body the reader refused: 413 over the limit, any other 4xx (a length that does
 * not match, an encoding it cannot inflate, an aborted upload) as BAD_REQUEST with its status.
 * Null for anything else: a failure of ours, not the sender's.
 */
export function bodyFailureAnswer(error: unknown, config: AppConfig): JsonAnswer | null {
  const failure = error as { type?: string; status?: number };
  if (failure.type === 'entity.too.large') {
    const message = `The body is larger than ${config.webhooks.maxBodyBytes} bytes`;
    return { status: 413, body: { error: { code: WebhookErrorCode.PAYLOAD_TOO_LARGE, message } } };
  }
  if (typeof failure.status === 'number' && failure.status >= 400 && failure.status < 500) {
    const message = 'The request body could not be read';
    return { status: failure.status, body: { error: { code: WebhookErrorCode.BAD_REQUEST, message } } };
  }
  return null;
}

/**
 * The same reader and refusals for the path through Express, before the app's JSON parser (which
 * then leaves the request alone): what the bare route does not serve (another method, the path
 * in other letter case) still never meets Express's HTML error page or a stack trace.
 */
export function webhookBodyParsers(config: AppConfig): [RequestHandler, express.ErrorRequestHandler] {
  return [
    webhookBodyReader(config) as RequestHandler,
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      const answer = bodyFailureAnswer(error, config);
      if (answer) res.status(answer.status).json(answer.body);
      else next(error);
    },
  ];
}
