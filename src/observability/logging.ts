import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, stdTimeFunctions } from 'pino';
import { type Options } from 'pino-http';
import { type AppConfig } from '../config/env.js';
import { prettyLogStream } from './pretty-log.js';

type LoggedRequest = IncomingMessage & { id?: string; auth?: { tenantId: string } };

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Logs (pino): one line per request with its id (`x-request-id`, taken from the caller
 * when well-formed, else generated, and echoed back) and the tenant. Requests are logged by
 * method, path and status only: headers, query strings and bodies never reach the log, so
 * tokens, keys, HMAC signatures and message texts cannot leak into it. JSON on stdout by
 * default; LOG_FORMAT=pretty writes the same records as short lines (see pretty-log.ts).
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
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
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
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: {
      ignore: (req: IncomingMessage) => req.url === '/metrics' || !!req.url?.startsWith('/health'),
    },
  };
}
