import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  handleProtocols,
  type Message,
  MessageType,
  parseMessage,
  type SubscribePayload,
} from 'graphql-ws';
import WebSocket, { type RawData, WebSocketServer } from 'ws';

/** graphql-ws's own defaults: connection_init within 3 s of opening... */
const CONNECTION_INIT_WAIT_MS = 3_000;
/** ...and a ws-level ping every 12 s, the socket dropped when it has not answered the last one. */
const KEEP_ALIVE_MS = 12_000;
/**
 * The pings are spread over this many ticks of one timer (each socket in its own tick), so
 * 10,000 sockets are not pinged in one burst that would hold up an event's fan-out.
 */
const KEEP_ALIVE_TICKS = 12;
/** How long a socket closed at shutdown has to answer the close (Apollo's drain waits as long for HTTP). */
const GOING_AWAY_GRACE_MS = 10_000;

/** A running or live operation of a socket: `stop()` ends it without a word to the client. */
export interface Operation {
  stop(): void;
}

/** What the protocol hands to the GraphQL side (graphql-ws.ts, ws-operations.ts). */
export interface WsHandler {
  /**
   * `connection_init`: true acknowledges it; false when the socket is refused (the handler
   * closes it with its own code first).
   */
  connect(socket: GraphqlSocket, params: Record<string, unknown>): Promise<boolean>;
  /**
   * A `subscribe` message. The socket holds `starting` under `id` meanwhile (`operation(id)`):
   * the operation is still wanted (not completed by the client, socket open) while it is there.
   */
  subscribe(socket: GraphqlSocket, id: string, payload: SubscribePayload, starting: Operation): Promise<void>;
  /** The socket closed; its operations are stopped. */
  closed(socket: GraphqlSocket): void;
}

/**
 * One socket and all the per-socket state of the protocol, in one object: ws builds this class
 * for each connection (WebSocketServer's `WebSocket` option), so a socket needs no context
 * object beside it and its listeners are shared functions (`this` is the socket), not closures.
 */
export class GraphqlSocket extends WebSocket {
  server!: WsProtocolServer;
  /** 0 opened, 1 connection_init received, 2 acknowledged. */
  phase = 0;
  /** Answered the last keep-alive ping. */
  alive = true;
  /** The keep-alive tick this socket is pinged in. */
  tick = 0;
  /** The `authorization` header of connection_init, as it came: what each operation presents to the guard. */
  authorization: string | undefined = undefined;
  initWait: NodeJS.Timeout | undefined = undefined;
  /**
   * Operations by id: the first one inline (a dashboard holds one subscription per socket), any
   * others in a Map made for them; a Map per socket would be ~180 B of every idle dashboard.
   */
  private firstId: string | undefined = undefined;
  private first: Operation | undefined = undefined;
  private others: Map<string, Operation> | undefined = undefined;

  operation(id: string): Operation | undefined {
    return id === this.firstId ? this.first : this.others?.get(id);
  }

  setOperation(id: string, operation: Operation): void {
    if (id === this.firstId || (this.firstId === undefined && !this.others?.has(id))) {
      this.firstId = id;
      this.first = operation;
    } else {
      (this.others ??= new Map()).set(id, operation);
    }
  }

  deleteOperation(id: string): void {
    if (id === this.firstId) {
      this.firstId = undefined;
      this.first = undefined;
    } else {
      this.others?.delete(id);
    }
  }

  /** Every operation, forgotten at once (the socket closed). */
  takeOperations(): Operation[] {
    const all = this.first ? [this.first] : [];
    if (this.others) all.push(...this.others.values());
    this.firstId = undefined;
    this.first = undefined;
    this.others = undefined;
    return all;
  }

  /** The peer's address, read from the TCP socket when an operation needs it (not kept per socket). */
  get remoteAddress(): string | undefined {
    return (this as unknown as { _socket?: { remoteAddress?: string } })._socket?.remoteAddress;
  }

  /** Sends a message if the socket is still open (a message for a closing socket is dropped, as graphql-ws does). */
  sendMessage(data: string, sent?: (error?: Error) => void): void {
    if (this.readyState !== WebSocket.OPEN) {
      sent?.();
      return;
    }
    this.send(data, sent);
  }

  complete(id: string): void {
    this.sendMessage(`{"id":${JSON.stringify(id)},"type":"complete"}`);
  }
}

/**
 * The graphql-transport-ws protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md) over a `ws`
 * server of our own, with graphql-ws's close codes and reasons and its server's behaviour:
 * `connection_init` within 3 s (4408) and once (4429), nothing but pings before it is
 * acknowledged (4401), a message that is not the protocol's closes with 4400, an id in use 4409,
 * another subprotocol 4406, an internal failure 4500. graphql-ws's own server (`makeServer` +
 * `useServer`) keeps per socket a context, ~20 closures and 2 timers, and per subscription a
 * suspended `for await` over the result stream holding the raw message and its parsed copy:
 * most of an idle dashboard's heap. Here a socket is one object plus one shared keep-alive
 * timer, and what a subscription keeps is up to the handler (a registration, ws-operations.ts).
 * graphql-ws's client and Apollo's GraphQLWsLink run against it in every realtime test.
 */
export class WsProtocolServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    WebSocket: GraphqlSocket,
    handleProtocols: (protocols) => handleProtocols(protocols),
    // Tracked here instead (`open`): ws's tracking adds a closure and its context to every socket.
    clientTracking: false,
  });
  /** The open graphql-transport-ws sockets: pinged, and closed at shutdown. */
  private readonly open = new Set<GraphqlSocket>();
  private readonly keepAlive: NodeJS.Timeout;
  private ticks = 0;
  private opens = 0;

  constructor(readonly handler: WsHandler) {
    this.keepAlive = setInterval(() => this.ping(), KEEP_ALIVE_MS / KEEP_ALIVE_TICKS);
    this.keepAlive.unref();
    this.wss.on('error', (error) => logger.error(`WebSocket server error: ${String(error)}`));
  }

  /**
   * An HTTP upgrade for this endpoint: the request is not kept once the socket is open.
   *
   * The HTTP server's connection trackers let go of the socket first. Apollo's drain plugin (one
   * per Apollo server: the public and the internal endpoint) follows every TCP connection until
   * it closes, with a `close` listener (a once-wrapper, a closure and its context) and a Map
   * entry each: ~0.9 KB of every idle dashboard's heap, for a connection that is no HTTP
   * connection any more. Node's own HTTP listeners are gone by now, so the `close` listeners
   * left are such trackers, and all they do is forget the socket: once ws has added its own
   * (removing the last listener of an event would `delete` it and turn the socket's listener
   * table into a dictionary), they are removed and run. This transport closes its sockets
   * itself when the app stops (`goAway`, from Apollo's drain).
   */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const trackers = socket.listeners('close') as ((hadError: boolean) => void)[];
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      for (const forget of trackers) {
        socket.removeListener('close', forget);
        forget.call(socket, false);
      }
      this.opened(ws as GraphqlSocket);
    });
  }

  /** Every open socket. */
  get sockets(): ReadonlySet<GraphqlSocket> {
    return this.open;
  }

  /**
   * Closes every open socket with 1001 (Going away), as graphql-ws's server does when it is
   * disposed; one still open after GOING_AWAY_GRACE_MS (its peer never answered) is cut. The
   * HTTP server's `close` waits for them (Apollo's drain no longer tracks them, see `upgrade`).
   */
  goAway(): void {
    for (const socket of this.open) socket.close(1001, 'Going away');
    setTimeout(() => {
      for (const socket of this.open) socket.terminate();
    }, GOING_AWAY_GRACE_MS).unref();
  }

  /** A socket closed (its `close` listener). */
  closed(socket: GraphqlSocket): void {
    this.open.delete(socket);
  }

  /** Stops taking sockets (after `goAway`). */
  close(): Promise<void> {
    clearInterval(this.keepAlive);
    this.goAway();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private opened(socket: GraphqlSocket): void {
    socket.server = this;
    socket.tick = this.opens++ % KEEP_ALIVE_TICKS;
    socket.on('error', onError);
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      return;
    }
    this.open.add(socket);
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    socket.initWait = setTimeout(initTimedOut, CONNECTION_INIT_WAIT_MS, socket);
  }

  /** One timer for all sockets: a socket that did not answer its last ping (a round ago) is dropped. */
  private ping(): void {
    const tick = this.ticks++ % KEEP_ALIVE_TICKS;
    for (const socket of this.open) {
      if (socket.tick !== tick || socket.readyState !== WebSocket.OPEN) continue;
      if (!socket.alive) {
        socket.terminate();
        continue;
      }
      socket.alive = false;
      socket.ping();
    }
  }
}

const logger = new Logger('GraphqlWs');

function initTimedOut(socket: GraphqlSocket): void {
  socket.initWait = undefined;
  if (socket.phase === 0) {
    socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
  }
}

// The listeners: shared functions, called with the socket as `this` (ws types it as a plain WebSocket).

function onPong(this: WebSocket): void {
  (this as GraphqlSocket).alive = true;
}

function onError(this: WebSocket, error: Error): void {
  logger.warn(`WebSocket error: ${error.message}`);
  this.close(CloseCode.InternalServerError, 'Internal server error');
}

function onClose(this: WebSocket): void {
  const socket = this as GraphqlSocket;
  clearTimeout(socket.initWait);
  socket.initWait = undefined;
  socket.server.closed(socket);
  for (const operation of socket.takeOperations()) operation.stop();
  socket.server.handler.closed(socket);
}

function onMessage(this: WebSocket, data: RawData): void {
  receive(this as GraphqlSocket, data).catch((error: unknown) => {
    logger.error(`graphql-transport-ws message handling failed: ${String(error)}`);
    this.close(CloseCode.InternalServerError, 'Internal server error');
  });
}

async function receive(socket: GraphqlSocket, data: RawData): Promise<void> {
  let message: Message;
  try {
    message = parseMessage(String(data));
  } catch {
    return socket.close(CloseCode.BadRequest, 'Invalid message received');
  }
  switch (message.type) {
    case MessageType.ConnectionInit: {
      if (socket.phase !== 0) {
        return socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
      }
      socket.phase = 1;
      clearTimeout(socket.initWait);
      socket.initWait = undefined;
      const payload = message.payload;
      const params =
        payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
      if (!(await socket.server.handler.connect(socket, params))) {
        // As graphql-ws: a socket the handler already closed ignores this.
        return socket.close(CloseCode.Forbidden, 'Forbidden');
      }
      socket.phase = 2;
      return socket.sendMessage('{"type":"connection_ack"}');
    }
    case MessageType.Ping:
      return socket.sendMessage(
        JSON.stringify(message.payload ? { type: MessageType.Pong, payload: message.payload } : PONG),
      );
    case MessageType.Pong:
      return;
    case MessageType.Subscribe: {
      if (socket.phase !== 2) return socket.close(CloseCode.Unauthorized, 'Unauthorized');
      if (socket.operation(message.id)) {
        return socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${message.id} already exists`);
      }
      const starting = new Starting();
      socket.setOperation(message.id, starting);
      return socket.server.handler.subscribe(socket, message.id, message.payload, starting);
    }
    case MessageType.Complete: {
      const operation = socket.operation(message.id);
      if (!operation) return;
      socket.deleteOperation(message.id);
      return operation.stop();
    }
    default:
      // connection_ack, next and error are the server's to send (PROTOCOL.md: anything else is 4400).
      return socket.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
  }
}

const PONG = { type: MessageType.Pong };

/** An operation until it runs: its identity is what marks it still wanted; stopping it is dropping it. */
class Starting implements Operation {
  stop(): void {}
}
