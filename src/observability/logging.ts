import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, type Level, type Logger, stdTimeFunctions } from 'pino';
import { type Options } from 'pino-http';
import { type AppConfig } from '../config/env.js';
import { isWebhookUrl } from '../config/http-surface.js';
import { prettyLogStream } from './pretty-log.js';

type LoggedRequest = IncomingMessage & { id?: string; auth?: { tenantId: string } };

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Logs (pino): one line per request with its id (`x-request-id`, taken from the caller
 * when well-formed, else generated, and echoed back) and the tenant. Requests are logged by
 * method, path and status only: headers, query strings and bodies never reach the log, so
 * tokens, keys, HMAC signatures and message texts cannot leak into it. JSON on stdout by
 * default; LOG_FORMAT=pretty writes the same records as short lines (see pretty-log.ts).
 *
 * WAHA's webhook is the exception for success: its 2xx are logged at debug (one line per event
 * would be most of the log, and writing it cost 12% of the service's CPU under load), and counted
 * instead by whatsapp_hub_webhook_events_total; its refusals and failures are logged as any request's.
 */
export function loggingModule(config: AppConfig): DynamicModule {
  const options = httpLoggerOptions(config);
  return LoggerModule.forRoot({
    pinoHttp:
      config.logFormat === 'pretty'
        ? [options, prettyLogStream() as DestinationStream]
        : // pino's own stdout destination: the fastest, and what production collects.
          options,
  });
}

/** The request logger's options, whatever the format. */
export function httpLoggerOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    base: { service: 'whatsapp-hub' },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    genReqId: requestId,
    customProps: (req: IncomingMessage) => {
      const tenantId = (req as LoggedRequest).auth?.tenantId;
      return tenantId ? { tenantId } : {};
    },
    serializers: {
      req: (req: { id?: string; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url?.split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    // Defense in depth, should a header ever be logged by other code.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-internal-key"]',
        'req.headers["x-webhook-hmac"]',
        'req.headers["x-whatsapp-hub-secret"]',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
    customLogLevel: requestLogLevel,
    autoLogging: {
      ignore: (req: IncomingMessage) => req.url === '/metrics' || !!req.url?.startsWith('/health'),
    },
  };
}

/** The request's id: the caller's `x-request-id` when well-formed, else a new one; echoed back. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** A request's log level: error for 5xx (or a failure), warn for 4xx, info else; debug for a webhook's success. */
export function requestLogLevel(req: IncomingMessage, res: ServerResponse, error?: Error): Level {
  if (error || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
  return isWebhookUrl(url) ? 'debug' : 'info';
}

/**
 * The request log's record of a request served outside Express (the webhook route, see
 * src/webhooks/webhook-route.ts), written once it is answered or its connection closes: the
 * same record pino-http writes, through the same logger (so the same serializers and format).
 * `logger` is the request logger's root (nestjs-pino's PinoLogger.root).
 */
export function logServedRequest(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  startedAt: number,
): void {
  const level = requestLogLevel(req, res);
  if (!logger.isLevelEnabled(level)) return;
  const responseTime = Date.now() - startedAt;
  if (res.statusCode >= 500) {
    const err = new Error(`failed with status code ${res.statusCode}`);
    logger[level]({ req, res, err, responseTime }, 'request errored');
    return;
  }
  const message = !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted';
  logger[level]({ req, res, responseTime }, message);
}
