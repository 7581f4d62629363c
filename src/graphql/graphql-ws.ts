import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { MikroORM } from '@mikro-orm/core';
import { type ApolloServerPlugin } from '@apollo/server';
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type GraphQLSchema } from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { ApiKeyWatch } from '../auth/api-key-watch.js';
import { CredentialsService } from '../auth/credentials.service.js';
import { bearerToken } from '../auth/jwt.service.js';
import { DomainError } from '../common/domain-error.js';
import { PUBLIC_GRAPHQL_PATH } from '../config/http-surface.js';
import { ShutdownGate } from '../health/shutdown-gate.js';
import { SocketDeadlines } from './socket-deadlines.js';
import { runOperation } from './ws-operations.js';
import { type GraphqlSocket, type Operation, type WsHandler, WsProtocolServer } from './ws-protocol.js';

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
 * GraphQL over WebSocket (graphql-transport-ws, graphql-ws's protocol) on the public endpoint.
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
 *
 * The transport is our own (ws-protocol.ts, ws-operations.ts), not graphql-ws's server: an idle
 * dashboard costs a socket object and a subscription registration, not graphql-ws's per-socket
 * closures and a suspended loop per subscription. It owns the HTTP `upgrade` of the public
 * path (the public GraphQLModule is given no `subscriptions`) and gets the schema Apollo serves
 * from an Apollo plugin (`schemaPlugin()`).
 */
@Injectable()
export class GraphqlWsServer
  implements WsHandler, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly protocol = new WsProtocolServer(this);
  private schema: GraphQLSchema | undefined;

  constructor(
    private readonly credentials: CredentialsService,
    private readonly keyWatch: ApiKeyWatch,
    private readonly orm: MikroORM,
    private readonly gate: ShutdownGate,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * For the `plugins` of both GraphQLModules. Each Apollo server's drain (the first thing it does
   * when the app stops) closes the sockets, which the HTTP server's close waits for. The public
   * one's also hands over its schema: the one operations run on.
   */
  apolloPlugin(endpoint: 'public' | 'internal'): ApolloServerPlugin {
    return {
      serverWillStart: async ({ schema }) => {
        if (endpoint === 'public') this.schema = schema;
        return { drainServer: async () => this.protocol.goAway() };
      },
    };
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    server?.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Other paths are left alone, as Nest's own subscription server left them.
      if (pathOf(request.url) === PUBLIC_GRAPHQL_PATH) this.protocol.upgrade(request, socket, head);
    });
  }

  /** Open sockets are closed 1001 (Going away) when the app stops, as graphql-ws's server did. */
  async onModuleDestroy(): Promise<void> {
    this.protocol.goAway();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.protocol.close();
  }

  async connect(socket: GraphqlSocket, params: Record<string, unknown>): Promise<boolean> {
    // A new socket on a stopping replica would be cut off soon: send it to one that stays.
    if (!this.gate.accepting) return close(socket, WS_CLOSE.shuttingDown);
    const header = params['authorization'] ?? params['Authorization'];
    const token = typeof header === 'string' ? bearerToken(header) : undefined;
    if (!token) return close(socket, WS_CLOSE.missingToken);
    try {
      const auth = await this.credentials.authenticate(token);
      // Closed while its token was checked: nothing to watch (its close listeners have run).
      if (socket.readyState !== socket.OPEN) return false;
      if (auth.expiresAt) tokenDeadlines.add(socket, auth.expiresAt);
      if (auth.apiKey) {
        const stop = this.keyWatch.watch(auth.apiKey.id, () => close(socket, WS_CLOSE.keyRevoked));
        socket.once('close', stop);
      }
    } catch (error) {
      const reason = error instanceof DomainError ? `Forbidden: ${error.message}` : WS_CLOSE.refused.reason;
      return close(socket, { ...WS_CLOSE.refused, reason });
    }
    // The header string as it came (one string per socket): the guard reads the same token from it.
    socket.authorization = header as string;
    return true;
  }

  subscribe(
    socket: GraphqlSocket,
    id: string,
    payload: SubscribePayload,
    starting: Operation,
  ): Promise<void> {
    if (!this.schema) throw new Error('The public GraphQL schema is not built yet');
    return runOperation(socket, id, payload, starting, this.schema, this.orm.em);
  }

  closed(socket: GraphqlSocket): void {
    tokenDeadlines.forget(socket);
  }
}

/**
 * An open subscription must not outlive its token: the socket is closed 4403 when the token
 * expires, and the dashboard reconnects with a fresh one (subscriptions started later are
 * checked anyway by the guard). One timer for all sockets (socket-deadlines.ts), not one each.
 */
const tokenDeadlines = new SocketDeadlines<GraphqlSocket>((socket) =>
  socket.close(WS_CLOSE.expired.code, WS_CLOSE.expired.reason),
);

/** Closes with our own code (false tells the protocol not to acknowledge; its 4403 then goes nowhere). */
function close(socket: GraphqlSocket, { code, reason }: { code: number; reason: string }): false {
  socket.close(code, reason.slice(0, 120));
  return false;
}

function pathOf(url: string | undefined): string {
  const end = url?.search(/[?#]/) ?? -1;
  return end === -1 ? (url ?? '') : url!.slice(0, end);
}
