import { HTTPError, RequestError } from 'got';

import { DomainError, ErrorCode } from '../../../src/common/domain-error.js';

/** What the client was doing, for messages and logs: `sendText`, `getSession`… */
export interface WahaCallContext {
  operation: string;
  session?: string;
}

/** Network failures that mean "WAHA is not there right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_GOT_REQUEST_ERROR',
]);

/**
 * Maps anything thrown by a got call to WAHA into the one coded error services see.
 * Every DomainError keeps WAHA's HTTP status (`details.wahaStatus`, absent when WAHA never
 * answered) and WAHA's own message (`details.wahaError`) so logs and clients can tell why.
 */
export function toWahaError(error: unknown, context: WahaCallContext): DomainError {
  if (error instanceof DomainError) return error;
  const where = context.session ? `${context.operation} (session ${context.session})` : context.operation;

  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const body = parseBody(error.response.body);
    const wahaError = messageOf(body) ?? error.response.statusMessage ?? `HTTP ${status}`;
    const details: Record<string, unknown> = { wahaStatus: status, wahaError, operation: context.operation };
    if (context.session) details.session = context.session;

    if (status === 404) {
      return new DomainError(ErrorCode.NOT_FOUND, `WAHA: not found: ${where}: ${wahaError}`, {
        details,
        cause: error,
      });
    }
    if (status === 422) {
      // WAHA's status guard: {error, session, status, expected}. Other 422s (e.g. "already
      // exists") carry only a message.
      if (isRecord(body) && typeof body.status === 'string') details.status = body.status;
      if (isRecord(body) && Array.isArray(body.expected)) details.expected = body.expected;
      const why =
        details.status !== undefined
          ? `session status is ${String(details.status)}, expected ${JSON.stringify(details.expected ?? [])}`
          : wahaError;
      return new DomainError(ErrorCode.FAILED_PRECONDITION, `WAHA refused ${where}: ${why}`, {
        details,
        cause: error,
      });
    }
    if (status === 401 || status === 403) {
      return new DomainError(ErrorCode.UPSTREAM_REJECTED, `WAHA rejected the API key on ${where}`, {
        details,
        cause: error,
      });
    }
    if (status === 400) {
      return new DomainError(ErrorCode.BAD_USER_INPUT, `WAHA rejected the input of ${where}: ${wahaError}`, {
        details,
        cause: error,
      });
    }
    if (status >= 500 || status === 429 || status === 408) {
      return new DomainError(ErrorCode.UPSTREAM_UNAVAILABLE, `WAHA is unavailable (${status}) on ${where}`, {
        details,
        cause: error,
      });
    }
    return new DomainError(ErrorCode.UPSTREAM_REJECTED, `WAHA answered ${status} on ${where}: ${wahaError}`, {
      details,
      cause: error,
    });
  }

  if (error instanceof RequestError) {
    const code = error.code;
    const timedOut = error.name === 'TimeoutError' || code === 'ETIMEDOUT';
    const details: Record<string, unknown> = {
      operation: context.operation,
      networkError: code,
      wahaError: error.message,
    };
    if (context.session) details.session = context.session;
    if (
      timedOut ||
      UNAVAILABLE_CODES.has(code) ||
      error.name === 'ParseError' ||
      error.name === 'ReadError'
    ) {
      const why = timedOut ? 'timed out' : error.name === 'ParseError' ? 'answered unreadable JSON' : code;
      return new DomainError(ErrorCode.UPSTREAM_UNAVAILABLE, `WAHA is unavailable on ${where}: ${why}`, {
        details,
        cause: error,
      });
    }
    return new DomainError(ErrorCode.UPSTREAM_UNAVAILABLE, `WAHA call failed on ${where}: ${code}`, {
      details,
      cause: error,
    });
  }

  return new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, `Unexpected failure calling WAHA on ${where}`, {
    details: { operation: context.operation },
    cause: error,
  });
}

function parseBody(body: unknown): unknown {
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.length > 0 ? body.slice(0, 500) : undefined;
  if (!isRecord(body)) return undefined;
  // WAHA's status guard uses `error`; Nest's HttpExceptions use `message` (string or list).
  if (typeof body.error === 'string' && typeof body.status === 'string') return body.error;
  if (typeof body.message === 'string') return body.message;
  if (Array.isArray(body.message)) return body.message.map(String).join('; ');
  if (typeof body.error === 'string') return body.error;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
