import { execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { type AuthCarrier } from '../auth/request-of.js';

export type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * What the subscriptions of one share key have in common: the execution arguments an event is
 * executed with (the first subscriber's), and how many subscriptions use it.
 */
export interface SharedOperation {
  readonly key: string | undefined;
  readonly args: ExecutionArgs;
  users: number;
}

/**
 * Results per event object, per share key: an event's entry goes with the event (WeakMap).
 * Only objects can key it; other events are executed per subscriber.
 */
const executed = new WeakMap<object, Map<string, Result>>();

/** One entry per distinct share key, however many subscriptions use it; counted, so it goes with its last one. */
const operations = new Map<string, SharedOperation>();

/**
 * The shared operation a subscription with these arguments joins: an event is then executed
 * ONCE per replica for all the subscribers that asked for the same thing, instead of once per
 * subscriber.
 *
 * A replica hands one event object to every stream of its channel (ChannelHub). With 1,000
 * dashboards on one session, graphql-js would execute the same selection on the same object
 * 1,000 times per QR; here the first execution is shared by the others. Shared only between
 * subscriptions with the same document text, operation name and variables, and the same tenant
 * and roles: nothing in a subscription's selection reads anything else of the caller (field
 * resolvers of these types are pure functions of the event; the AccessGuard runs once per
 * subscription, at subscribe). A resolver that starts depending on the user would have to add
 * the user to `shareKey`. So the first subscriber's arguments (its context included) serve
 * every subscriber of the key, and a subscription keeps no arguments of its own. Shared
 * results are never mutated: they are serialized once for all sockets (ws-operations.ts).
 */
export function joinShared(args: ExecutionArgs): SharedOperation {
  const key = shareKey(args);
  if (key === undefined) return { key, args, users: 1 };
  let operation = operations.get(key);
  if (!operation) {
    operation = { key, args, users: 0 };
    operations.set(key, operation);
  }
  operation.users++;
  return operation;
}

/** A subscription of the operation ended. */
export function leaveShared(operation: SharedOperation): void {
  if (--operation.users === 0 && operation.key !== undefined) operations.delete(operation.key);
}

/** The operation's result for an event: executed by its first subscriber, shared by the others. */
export function executeShared(operation: SharedOperation, event: unknown): Result {
  const key = operation.key;
  if (key === undefined || typeof event !== 'object' || event === null) return run(operation, event);
  let results = executed.get(event);
  if (!results) {
    results = new Map();
    executed.set(event, results);
  }
  let result = results.get(key);
  if (!result) {
    result = run(operation, event);
    results.set(key, result);
  }
  return result;
}

function run(operation: SharedOperation, event: unknown): Result {
  return execute({ ...operation.args, rootValue: event });
}

/** What a shared result may depend on; undefined (not shared) when the caller is not known. */
function shareKey(args: ExecutionArgs): string | undefined {
  const auth = (args.contextValue as { req?: AuthCarrier } | undefined)?.req?.auth;
  const text = args.document.loc?.source.body;
  if (!auth || text === undefined) return undefined;
  return JSON.stringify([
    auth.tenantId,
    [...auth.roles].sort(),
    args.operationName ?? null,
    args.variableValues ?? null,
    text,
  ]);
}
