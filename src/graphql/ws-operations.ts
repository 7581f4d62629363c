import { type EntityManager, RequestContext } from '@mikro-orm/core';
import {
  createSourceEventStream,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import { type SubscribePayload } from 'graphql-ws';
import { type AuthCarrier } from '../auth/request-of.js';
import { EventStream, type Sink } from '../realtime/event-stream.js';
import { formatGraphqlError, withClientCode } from './graphql-errors.js';
import { parseShared, validateShared } from './shared-documents.js';
import {
  executeShared,
  joinShared,
  leaveShared,
  type Result,
  type SharedOperation,
} from './shared-execution.js';
import { type GraphqlSocket, type Operation } from './ws-protocol.js';

/**
 * Runs one graphql-transport-ws operation as graphql-ws's server would (parse, validate, pick the
 * operation, subscribe or execute, `next`/`error`/`complete`), with this service's rules:
 *
 * - a syntax error answers the one operation with GRAPHQL_PARSE_FAILED (graphql-ws would close
 *   the whole socket, 4500, and every subscription on it);
 * - one AST per operation text (shared-documents.ts), validated once per schema;
 * - each operation gets a fresh request-like carrier (the socket's authorization header and
 *   address) for the global AccessGuard, and runs in its own MikroORM RequestContext;
 * - errors are mapped as Apollo's formatError maps them on HTTP (stable codes, no stacks).
 *
 * A live subscription is a registration: a LiveSubscription (socket, id, its EventStream, the
 * shared operation) that the stream calls on each event; nothing is pending while it is idle.
 */
export async function runOperation(
  socket: GraphqlSocket,
  id: string,
  payload: SubscribePayload,
  starting: Operation,
  schema: GraphQLSchema,
  em: EntityManager,
): Promise<void> {
  const wanted = () => socket.operation(id) === starting;
  const fail = (errors: readonly GraphQLError[]) => {
    if (!wanted()) return;
    socket.deleteOperation(id);
    socket.sendMessage(message(id, 'error', JSON.stringify(formatErrors(errors.map(asRequestError)))));
  };
  const document = parsed(payload.query);
  if (document instanceof GraphQLError) return fail([document]);
  const invalid = validateShared(schema, document);
  if (invalid.length > 0) return fail(invalid);
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return fail([new GraphQLError('Unable to identify operation')]);
  const args: ExecutionArgs = {
    schema,
    document,
    operationName: payload.operationName,
    variableValues: payload.variables,
    contextValue: { req: carrierOf(socket) },
  };
  if (operation.operation !== 'subscription') {
    const result = await RequestContext.create(em, () => execute(args));
    return answer(socket, id, wanted(), result);
  }
  const source = await RequestContext.create(em, () => createSourceEventStream(args));
  if (!isAsyncIterable(source)) return answer(socket, id, wanted(), source as ExecutionResult);
  const stream = source instanceof EventStream ? (source as EventStream<unknown>) : pumped(source);
  if (!wanted()) {
    stream.close();
    return;
  }
  const live = new LiveSubscription(socket, id, stream, joinShared(args));
  socket.setOperation(id, live);
  stream.deliverTo(live);
}

/** A query's, a mutation's or a refused subscription's one result: `next`, then `complete`. */
function answer(socket: GraphqlSocket, id: string, wanted: boolean, result: ExecutionResult): void {
  if (!wanted) return;
  socket.deleteOperation(id);
  socket.sendMessage(message(id, 'next', payloadOf(result)));
  socket.complete(id);
}

/**
 * A live subscription: takes its stream's events, has each executed (shared with the replica's
 * other subscribers of the same operation) and sends the result. One event at a time, in order:
 * while a result is computed or its message is being written, the stream queues (bounded, as for
 * any slow subscriber), as graphql-ws's `for await` loop waited for each send.
 */
class LiveSubscription implements Sink<unknown>, Operation {
  private busy = false;
  private ended = false;
  private released = false;

  constructor(
    private readonly socket: GraphqlSocket,
    private readonly id: string,
    private readonly stream: EventStream<unknown>,
    private readonly shared: SharedOperation,
  ) {}

  get ready(): boolean {
    return !this.busy;
  }

  event(value: unknown): void {
    let result: Result;
    try {
      result = executeShared(this.shared, value);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!(result instanceof Promise)) {
      this.send(result);
      return;
    }
    this.busy = true;
    let waiting = pending.get(result);
    if (!waiting) {
      const subscriptions: LiveSubscription[] = [];
      waiting = subscriptions;
      pending.set(result, subscriptions);
      result.then(
        (done) => {
          pending.delete(result);
          for (const subscription of subscriptions) subscription.settle(done);
        },
        (error: unknown) => {
          pending.delete(result);
          for (const subscription of subscriptions) subscription.fail(error);
        },
      );
    }
    waiting.push(this);
  }

  /** Its shared result is ready: sent, or the subscription fails if sending throws (one socket's failure is its own). */
  private settle(result: ExecutionResult): void {
    try {
      this.send(result);
    } catch (error) {
      this.fail(error);
    }
  }

  /** The stream ended on the server's side (shutdown, its source done): `complete` once what is in flight is out. */
  end(): void {
    this.ended = true;
    if (!this.busy) this.finish();
  }

  /** The client completed it, or the socket closed: the stream goes, nothing is sent. */
  stop(): void {
    this.release();
    this.stream.close();
  }

  private send(result: ExecutionResult): void {
    if (!this.registered()) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.socket.sendMessage(message(this.id, 'next', payloadOf(result)), () => this.sent());
  }

  private sent(): void {
    this.busy = false;
    if (this.ended) this.finish();
    else this.stream.flush();
  }

  private fail(error: unknown): void {
    this.busy = false;
    const registered = this.registered();
    if (registered) this.socket.deleteOperation(this.id);
    this.stop();
    if (!registered) return;
    const original = error instanceof Error ? error : new Error(String(error));
    const errors = [new GraphQLError(original.message, { originalError: original })];
    this.socket.sendMessage(message(this.id, 'error', JSON.stringify(formatErrors(errors))));
  }

  private finish(): void {
    this.release();
    if (!this.registered()) return;
    this.socket.deleteOperation(this.id);
    this.socket.complete(this.id);
  }

  private registered(): boolean {
    return this.socket.operation(this.id) === this;
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    leaveShared(this.shared);
  }
}

/**
 * The subscriptions waiting for a shared result still being computed (a field resolver that
 * awaits, e.g. Nest's wrapper of every @ResolveField): one reaction per result, and the sends
 * to all of them in one loop when it is ready, instead of a promise reaction and two closures
 * per subscriber per event.
 */
const pending = new WeakMap<Promise<ExecutionResult>, LiveSubscription[]>();

/**
 * The `payload` of a `next` message for a result, serialized once per result object: a shared
 * result goes to every socket of its share key, and only the message's id differs per socket.
 */
const serialized = new WeakMap<ExecutionResult, string>();

function payloadOf(result: ExecutionResult): string {
  let json = serialized.get(result);
  if (json === undefined) {
    const { errors, ...rest } = result;
    json = JSON.stringify(errors ? { ...rest, errors: formatErrors(errors) } : rest);
    serialized.set(result, json);
  }
  return json;
}

/** A message with an already serialized payload: the same JSON as graphql-ws's stringifyMessage. */
function message(id: string, type: 'next' | 'error', payload: string): string {
  return `{"id":${JSON.stringify(id)},"type":"${type}","payload":${payload}}`;
}

/** The shared document, or the syntax error (as Apollo reports one on HTTP). */
function parsed(query: string) {
  try {
    return parseShared(query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return withClientCode(error, 'GRAPHQL_PARSE_FAILED');
  }
}

/** A fresh carrier per operation: the guard annotates it, and must verify each subscription anew. */
function carrierOf(socket: GraphqlSocket): AuthCarrier {
  return {
    headers: socket.authorization ? { authorization: socket.authorization } : {},
    ip: socket.remoteAddress,
  };
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

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Any other async iterable a resolver returns, as an EventStream (this service's resolvers all
 * return EventStreams; this keeps the transport whole for one that does not). Closing the
 * stream returns the iterator; its end or failure closes the stream.
 */
function pumped(source: AsyncIterable<unknown>): EventStream<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  const stream = new EventStream<unknown>();
  let closed = false;
  stream.attach(Promise.resolve(), {
    detach: () => {
      closed = true;
      void iterator.return?.()?.catch(() => undefined);
    },
  });
  void (async () => {
    try {
      for (let step = await iterator.next(); !step.done && !closed; step = await iterator.next()) {
        stream.push(step.value);
      }
    } catch {
      // the source failed: the subscription completes
    } finally {
      stream.close();
    }
  })();
  return stream;
}
