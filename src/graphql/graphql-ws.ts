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

/** What a socket keeps after `connection_init`: the header its operations present to the AccessGuard. */
interface SocketExtra extends Extra {
  authorization?: string;
}

type WsOptions = GraphQLWsSubscriptionsConfig &
  Pick<ServerOptions, 'context' | 'execute' | 'subscribe' | 'onSubscribe' | 'onError' | 'parse' | 'validate'>;

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
      context: (ctx) => ({ req: carrierOf(ctx) }),
      // A syntax error answers the one operation with GRAPHQL_PARSE_FAILED: thrown from `parse`,
      // graphql-ws would close the whole socket (4500) and every subscription on it.
      onSubscribe: (_ctx, _id, payload) => parseFailure(payload.query),
      // One AST per operation text, not one per subscription (shared-documents.ts).
      parse: parseShared,
      validate: validateShared,
      // An event is executed once for all of this replica's subscribers asking the same (shared-execution.ts).
      subscribe: (args: ExecutionArgs) =>
        RequestContext.create(this.orm.em, () => subscribeSharingResults(args)),
      execute: (args: ExecutionArgs) => RequestContext.create(this.orm.em, () => execute(args)),
      // graphql-ws bypasses Apollo's formatError: map errors the same way (stable codes, no stacks).
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors.map(asRequestError)),
    };
    return { 'graphql-ws': options };
  }

  private async authenticate(ctx: Context): Promise<boolean> {
    const extra = ctx.extra as SocketExtra;
    // A new socket on a stopping replica would be cut off soon: send it to one that stays.
    if (!this.gate.accepting) return close(extra, WS_CLOSE.shuttingDown);
    const params = ctx.connectionParams ?? {};
    const header = params['authorization'] ?? params['Authorization'];
    const token = typeof header === 'string' ? bearerToken(header) : undefined;
    if (!token) return close(extra, WS_CLOSE.missingToken);
    try {
      const auth = await this.credentials.authenticate(token);
      if (auth.expiresAt) closeWhenExpired(extra, auth.expiresAt);
      if (auth.apiKey) {
        const stop = this.keyWatch.watch(auth.apiKey.id, () => close(extra, WS_CLOSE.keyRevoked));
        extra.socket.once('close', stop);
      }
    } catch (error) {
      const reason = error instanceof DomainError ? `Forbidden: ${error.message}` : WS_CLOSE.refused.reason;
      return close(extra, { ...WS_CLOSE.refused, reason });
    }
    extra.authorization = `Bearer ${token}`;
    return true;
  }
}

/** Longest delay setTimeout takes (about 24.8 days); a longer-lived token is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An open subscription must not outlive its token: the socket is closed 4403 when the token
 * expires, and the dashboard reconnects with a fresh one (subscriptions started later are
 * checked anyway by the guard).
 */
function closeWhenExpired(extra: SocketExtra, expiresAt: Date): void {
  const schedule = (): void => {
    const remaining = expiresAt.getTime() - Date.now();
    if (remaining <= 0) {
      close(extra, WS_CLOSE.expired);
      return;
    }
    const timer = setTimeout(schedule, Math.min(remaining, MAX_TIMER_MS));
    timer.unref();
    extra.socket.once('close', () => clearTimeout(timer));
  };
  schedule();
}

/** A fresh carrier per operation: the guard annotates it, and must verify each subscription anew. */
function carrierOf(ctx: Context): AuthCarrier {
  const extra = ctx.extra as SocketExtra;
  return {
    headers: extra.authorization ? { authorization: extra.authorization } : {},
    ip: extra.request.socket.remoteAddress,
  };
}

/** Closes with our own code (returning false makes graphql-ws try 4403, which a closing socket ignores). */
function close(extra: SocketExtra, { code, reason }: { code: number; reason: string }): false {
  extra.socket.close(code, reason.slice(0, 120));
  return false;
}

/** The operation's syntax error, as Apollo reports one on HTTP; nothing when it parses. */
function parseFailure(query: string): GraphQLError[] | undefined {
  try {
    parseShared(query);
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

function formatErrors(errors: readonly GraphQLError[]) {
  return errors.map((error) => formatGraphqlError(error.toJSON(), error));
}
