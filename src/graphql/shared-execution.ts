import {
  createSourceEventStream,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
} from 'graphql';
import { type AuthCarrier } from '../auth/request-of.js';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Results per event object, per operation: an event's entry goes with the event (WeakMap).
 * Only objects can key it; other events are executed per subscriber.
 */
const executed = new WeakMap<object, Map<string, Result>>();

/**
 * graphql-js's `subscribe()`, except that an event is executed ONCE per replica for all the
 * subscribers that asked for the same thing, instead of once per subscriber.
 *
 * A replica hands one event object to every stream of its channel (ChannelHub). With 1,000
 * dashboards on one session, graphql-js would execute the same selection on the same object
 * 1,000 times per QR; here the first subscriber's execution is shared by the others. Shared only
 * between subscriptions with the same document text, operation name and variables, and the same
 * tenant and roles: nothing in a subscription's selection reads anything else of the caller
 * (field resolvers of these types are pure functions of the event; the AccessGuard runs once, at
 * subscribe, as before). A resolver that starts depending on the user would have to add the user
 * to `shareKey`. The shared result is never mutated: graphql-ws serializes it per socket, and our
 * onNext maps errors into a new object.
 *
 * The source stream, the subscribe-time checks and errors are graphql-js's own
 * (`createSourceEventStream`), so behaviour other than the execution count is unchanged.
 */
export async function subscribeSharingResults(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source as ExecutionResult;
  const key = shareKey(args);
  const run = (event: unknown): Result => execute({ ...args, rootValue: event });
  return mapStream(source, (event) => {
    if (key === undefined || typeof event !== 'object' || event === null) return run(event);
    let results = executed.get(event);
    if (!results) {
      results = new Map();
      executed.set(event, results);
    }
    let result = results.get(key);
    if (!result) {
      result = run(event);
      results.set(key, result);
    }
    return result;
  });
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

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** Like graphql-js's mapAsyncIterator: maps each event; closing the result closes the source. */
function mapStream(
  source: AsyncIterable<unknown>,
  map: (event: unknown) => Result,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async () => {
    if (typeof iterator.return === 'function') await iterator.return();
  };
  return {
    async next() {
      const step = await iterator.next();
      if (step.done) return { value: undefined, done: true };
      try {
        return { value: await map(step.value), done: false };
      } catch (error) {
        await close().catch(() => undefined);
        throw error as GraphQLError;
      }
    },
    async return() {
      await close();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
