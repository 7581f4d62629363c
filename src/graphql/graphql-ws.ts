import { MikroORM, RequestContext } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type GraphQLWsSubscriptionsConfig, type SubscriptionConfig } from '@nestjs/graphql';
import { execute, type ExecutionArgs, GraphQLError } from 'graphql';
import { CloseCode, type Context, type ServerOptions } from 'graphql-ws';
import { type Extra } from 'graphql-ws/use/ws';
import { ApiKeyWatch } from '../auth/api-key-watch.js';
import { CredentialsService } from '../auth/credentials.service.js';
import { type AuthCarrier } from '../auth/request-of.js';
import { bearerToken } from '../auth/jwt.service.js';
import { DomainError } from '../common/domain-error.js';
import { formatGraphqlError, withClientCode } from './graphql-errors.js';
import { ShutdownGate } from '../health/shutdown-gate.js';
import { parseShared, validateShared } from './shared-documents.js';
import { subscribeSharingResults } from './shared-execution.js';
import { SocketDeadlines } from './socket-deadlines.js';

/**
 * What a socket keeps after `connection_init`: the header its operations present to the
 * AccessGuard and the peer's address, and nothing else. graphql-ws would otherwise hold the
 * upgrade request (`IncomingMessage`, with its headers and stream state) and the connection
 * params (the token a second time) for as long as the socket lives: about 2 KB of an idle
 * dashboard's heap, for nothing an operation reads.
 */
interface SocketExtra extends Omit<Extra, 'request'> {
  request?: Extra['request'];
  authorization?: string;
  ip?: string | undefined;
}

type WsOptions = GraphQLWsSubscriptionsConfig &
  Pick<
    ServerOptions,
    'onClose' | 'context' | 'execute' | 'subscribe' | 'onSubscribe' | 'onError' | 'parse' | 'validate'
  >;

/** The close reasons a dashboard sees (graphql-ws's codes; the reason is for people). */
export const WS_CLOSE = {
  /** No token in connection_init: authenticate and reconnect. */
  missingToken: { code: CloseCode.Unauthorized, reason: 'Unauthorized: connection_init needs authorization' },
  /** A token was presented and refused (bad signature, expired, unknown tenant). */
  refused: { code: CloseCode.Forbidden, reason: 'Forbidden' },
  /** The token the socket authenticated with has expired: reconnect with a fresh one. */
  expired: { code: CloseCode.Forbidden, reason: 'Forbidden: the token has expired' },
  /** The API key the socket authenticated with was revoked (or expired): it works nowhere any more. */
  keyRevoked: { code: CloseCode.Forbidden, reason: 'Forbidden: the API key no longer works' },
  /** This replica is stopping: reconnect (graphql-ws clients retry 1013, Try Again Later, on their own). */
  shuttingDown: { code: 1013, reason: 'Try again later: this replica is shutting down' },
} as const;

/**
 * GraphQL over WebSocket (graphql-ws) on the public endpoint.
 *
 * The socket authenticates once in `connection_init` with the dashboard's JWT or a tenant API
 * key (`{ authorization: 'Bearer <jwt or whk_…>' }`, `Authorization` also accepted); without
 * one it is closed 4401, with a refused one 4403, before any operation runs. Each operation
 * then gets a request-like context carrying that header, so the global AccessGuard checks it
 * exactly as for HTTP (expiry, roles, a key's revocation and scopes included, per
 * subscription). A socket whose key is revoked is closed 4403 (ApiKeyWatch), on any replica.
 *
 * Each operation runs in its own MikroORM RequestContext: the guard scopes the tenant filter
 * on that context, never on the global EntityManager, and a resolver that reads the database
 * at subscribe time does so in a context of its own. Events are not read from the database.
 */
@Injectable()
export class GraphqlWsServer {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly keyWatch: ApiKeyWatch,
    private readonly orm: MikroORM,
    private readonly gate: ShutdownGate,
  ) {}

  /** The `subscriptions` option of the public GraphQLModule. */
  subscriptions(): SubscriptionConfig {
    const options: WsOptions = {
      onConnect: (ctx) => this.authenticate(ctx),
      onClose: (ctx) => tokenDeadlines.forget((ctx.extra as SocketExtra).socket),
      context: (ctx) => ({ req: carrierOf(ctx) }),
      // A syntax error answers the one operation with GRAPHQL_PARSE_FAILED: thrown from `parse`,
      // graphql-ws would close the whole socket (4500) and every subscription on it.
      // The query text is then the one shared document's text, not the socket's own copy of it.
      onSubscribe: (_ctx, _id, payload) => parseFailure(payload),
      // One AST per operation text, not one per subscription (shared-documents.ts).
      parse: parseShared,
      validate: validateShared,
      // An event is executed once for all of this replica's subscribers asking the same (shared-execution.ts).
      subscribe: (args: ExecutionArgs) =>
        RequestContext.create(this.orm.em, () => subscribeSharingResults(args)),
      execute: (args: ExecutionArgs) => RequestContext.create(this.orm.em, () => execute(args)),
      // graphql-ws bypasses Apollo's formatError: map errors the same way (stable codes, no stacks).
      onNext: (_ctx, _id, _payload, _args, result) => handOver(result),
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors.map(asRequestError)),
    };
    return { 'graphql-ws': options };
  }

  private async authenticate(ctx: Context): Promise<boolean> {
    const extra = ctx.extra as SocketExtra;
    const params = ctx.connectionParams ?? {};
    forgetConnection(ctx);
    // A new socket on a stopping replica would be cut off soon: send it to one that stays.
    if (!this.gate.accepting) return close(extra, WS_CLOSE.shuttingDown);
    const header = params['authorization'] ?? params['Authorization'];
    const token = typeof header === 'string' ? bearerToken(header) : undefined;
    if (!token) return close(extra, WS_CLOSE.missingToken);
    try {
      const auth = await this.credentials.authenticate(token);
      if (auth.expiresAt) tokenDeadlines.add(extra.socket, auth.expiresAt);
      if (auth.apiKey) {
        const stop = this.keyWatch.watch(auth.apiKey.id, () => close(extra, WS_CLOSE.keyRevoked));
        extra.socket.once('close', stop);
      }
    } catch (error) {
      const reason = error instanceof DomainError ? `Forbidden: ${error.message}` : WS_CLOSE.refused.reason;
      return close(extra, { ...WS_CLOSE.refused, reason });
    }
    // The header string as it came (one string per socket): the guard reads the same token from it.
    extra.authorization = header as string;
    return true;
  }
}

/**
 * An open subscription must not outlive its token: the socket is closed 4403 when the token
 * expires, and the dashboard reconnects with a fresh one (subscriptions started later are
 * checked anyway by the guard). One timer for all sockets (socket-deadlines.ts), not one each.
 */
const tokenDeadlines = new SocketDeadlines<Extra['socket']>((socket) =>
  socket.close(WS_CLOSE.expired.code, WS_CLOSE.expired.reason),
);

/**
 * Drops what graphql-ws keeps of the handshake once `connection_init` is read: the upgrade
 * request (only the peer's address is kept) and the connection params (the caller has them).
 */
function forgetConnection(ctx: Context): void {
  const extra = ctx.extra as SocketExtra;
  extra.ip = extra.request?.socket.remoteAddress;
  // Not `delete`: that would turn every socket's extra into a (larger) dictionary-mode object.
  extra.request = undefined;
  (ctx as { connectionParams?: unknown }).connectionParams = undefined;
}

/** A fresh carrier per operation: the guard annotates it, and must verify each subscription anew. */
function carrierOf(ctx: Context): AuthCarrier {
  const extra = ctx.extra as SocketExtra;
  return {
    headers: extra.authorization ? { authorization: extra.authorization } : {},
    ip: extra.ip,
  };
}

/** Closes with our own code (returning false makes graphql-ws try 4403, which a closing socket ignores). */
function close(extra: SocketExtra, { code, reason }: { code: number; reason: string }): false {
  extra.socket.close(code, reason.slice(0, 120));
  return false;
}

/**
 * The operation's syntax error, as Apollo reports one on HTTP; nothing when it parses. A query
 * that parses is swapped for the shared document's text (the same characters): graphql-ws keeps
 * the subscribe payload for the subscription's lifetime, so it then holds no copy of its own.
 */
function parseFailure(payload: { query: string }): GraphQLError[] | undefined {
  try {
    const shared = parseShared(payload.query).loc?.source.body;
    if (shared !== undefined && shared === payload.query) payload.query = shared;
    return undefined;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return [withClientCode(error, 'GRAPHQL_PARSE_FAILED')];
  }
}

/**
 * graphql-ws's own error for an operation it cannot pick ("Unable to identify operation": the
 * operationName names none of the document's) is the client's request, as on HTTP; errors with
 * a cause (a resolver, the guard) or a code keep theirs.
 */
function asRequestError(error: GraphQLError): GraphQLError {
  if (error.originalError || error.extensions['code'] !== undefined) return error;
  return withClientCode(error, 'OPERATION_RESOLUTION_FAILURE');
}

/**
 * The `next` message's payload for a result (its errors mapped as on HTTP), after which the
 * result object is emptied: graphql-ws's loop holds the last result a subscription yielded until
 * the next one comes, i.e. an idle dashboard's snapshot (~1 KB) for as long as it stays idle.
 * Safe because every result reaching here is the operation's own object: a query's, or a
 * subscription's copy of a shared result (shared-execution.ts), never the shared one.
 */
function handOver(result: { errors?: readonly GraphQLError[] | undefined }) {
  const { errors, ...rest } = result;
  const payload = errors ? { ...rest, errors: formatErrors(errors) } : rest;
  const emptied = result as Record<string, unknown>;
  for (const key of Object.keys(emptied)) emptied[key] = undefined;
  return payload;
}

function formatErrors(errors: readonly GraphQLError[]) {
  return errors.map((error) => formatGraphqlError(error.toJSON(), error));
}
