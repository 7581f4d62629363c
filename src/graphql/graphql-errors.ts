import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { Logger } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../common/domain-error.js';

/**
 * Codes that Apollo and graphql-js produce for requests that never reached a resolver
 * (parse and validation failures, bad variables). They are the client's fault and safe to show.
 */
const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const logger = new Logger('GraphQL');

/**
 * The one place errors become what a GraphQL client sees: a DomainError keeps its code,
 * field and details; a request error keeps Apollo's code; anything else becomes
 * INTERNAL_SERVER_ERROR with an `errorId` that is also in the log. Never a stack trace.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  // Errors thrown outside resolvers (plugins, e.g. the query limits) arrive wrapped once more.
  const original =
    !(unwrapped instanceof DomainError) &&
    (unwrapped as { originalError?: unknown })?.originalError instanceof DomainError
      ? (unwrapped as { originalError: DomainError }).originalError
      : unwrapped;
  const where = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };

  if (original instanceof DomainError) {
    return {
      message: original.message,
      ...where,
      extensions: {
        code: original.code,
        ...(original.field === undefined ? {} : { field: original.field }),
        ...(original.details === undefined ? {} : { details: original.details }),
      },
    };
  }

  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
    return { message: formatted.message, ...where, extensions: { code } };
  }

  const errorId = randomUUID();
  logger.error(
    `errorId=${errorId} ${original instanceof Error ? (original.stack ?? original.message) : String(original)}`,
  );
  return {
    message: 'Internal server error',
    ...where,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
  };
}

/**
 * `error` with a client-error code of CLIENT_ERROR_CODES, as Apollo marks the same mistake on
 * HTTP; graphql-js and graphql-ws raise theirs without one, which formatGraphqlError would hide
 * as an internal error.
 */
export function withClientCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    extensions: { ...error.extensions, code },
  });
}
