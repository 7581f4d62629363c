/**
 * The one error type services throw. `code` is stable and public: clients branch on it.
 * The GraphQL layer maps codes to `extensions.code` in one place (graphql-errors.ts);
 * HTTP controllers map them to status codes with `httpStatusOf`.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  /** An API key called an operation outside its scopes; `details.scope` names the one needed. */
  INSUFFICIENT_SCOPE: 'INSUFFICIENT_SCOPE',
  /** The session is not in a state that allows the operation (WAHA's 422, or ours). */
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  /** WAHA or n8n did not answer, timed out, or answered 5xx. */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  /** An upstream answered, but refused us (e.g. WAHA rejected our API key). */
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  /** Our own public webhook URL did not answer a signed probe. */
  WEBHOOK_UNREACHABLE: 'WEBHOOK_UNREACHABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * WhatsApp capped the account's messages (WAHA's messageCapping CAPPED): nothing is sent until
   * the cycle ends; `details.clearsAt` says when.
   */
  SESSION_CAPPED: 'SESSION_CAPPED',
  /**
   * WhatsApp's reach-out timelock: no first message to a new contact until `details.clearsAt`;
   * replies in existing chats go out.
   */
  SESSION_TIMELOCKED: 'SESSION_TIMELOCKED',
  /** The query nests deeper than GRAPHQL_MAX_DEPTH. */
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  /** The query would cost more than GRAPHQL_MAX_COMPLEXITY. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** The request body is larger than allowed. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** This replica is stopping and takes no new work: retry (another replica answers). */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface DomainErrorOptions {
  /** The input field at fault, as a path: `input.phoneNumber`. */
  field?: string;
  /** Extra, client-safe facts (never secrets): `{ status: 'STOPPED', expected: ['WORKING'] }`. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    if (options.field !== undefined) this.field = options.field;
    if (options.details !== undefined) this.details = options.details;
  }

  static badInput(field: string, message: string, details?: Record<string, unknown>): DomainError {
    return new DomainError(ErrorCode.BAD_USER_INPUT, message, details ? { field, details } : { field });
  }

  static notFound(what: string, id: string): DomainError {
    return new DomainError(ErrorCode.NOT_FOUND, `${what} ${JSON.stringify(id)} was not found`);
  }
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  INSUFFICIENT_SCOPE: 403,
  FAILED_PRECONDITION: 422,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_REJECTED: 502,
  WEBHOOK_UNREACHABLE: 502,
  RATE_LIMITED: 429,
  SESSION_CAPPED: 429,
  SESSION_TIMELOCKED: 429,
  QUERY_TOO_DEEP: 400,
  QUERY_TOO_COMPLEX: 400,
  PAYLOAD_TOO_LARGE: 413,
  SHUTTING_DOWN: 503,
  INTERNAL_SERVER_ERROR: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
