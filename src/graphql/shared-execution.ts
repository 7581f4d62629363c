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
  return new SharedResultStream(source[Symbol.asyncIterator](), args, shareKeys.acquire(shareKey(args)));
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

/**
 * One string per distinct share key, however many subscriptions use it: a key holds the whole
 * operation text, and 10,000 idle dashboards asking the same thing would otherwise keep 10,000
 * equal copies of it (~400 bytes each). Counted, so a key goes with its last subscription.
 */
class InternedKeys {
  private readonly keys = new Map<string, { key: string; users: number }>();

  acquire(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { key, users: 0 };
      this.keys.set(key, entry);
    }
    entry.users++;
    return entry.key;
  }

  release(key: string | undefined): void {
    if (key === undefined) return;
    const entry = this.keys.get(key);
    if (entry && --entry.users === 0) this.keys.delete(key);
  }
}

const shareKeys = new InternedKeys();

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Like graphql-js's mapAsyncIterator: executes each event (shared, see above); closing it
 * closes the source. A class, not closures nor an async function: an idle subscription is one
 * small object and one pending promise, not a suspended frame and half a dozen closures.
 */
class SharedResultStream implements AsyncIterableIterator<ExecutionResult> {
  private closed = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly key: string | undefined,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.source.next().then((step) => this.map(step));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.close();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async map(step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> {
    if (step.done) {
      this.release();
      return { value: undefined, done: true };
    }
    try {
      // A copy: the shared result itself must stay whole for the other subscribers (graphql-ws.ts empties what it sent).
      return { value: { ...(await this.execute(step.value)) }, done: false };
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error as GraphQLError;
    }
  }

  private execute(event: unknown): Result {
    const key = this.key;
    if (key === undefined || typeof event !== 'object' || event === null) return this.run(event);
    let results = executed.get(event);
    if (!results) {
      results = new Map();
      executed.set(event, results);
    }
    let result = results.get(key);
    if (!result) {
      result = this.run(event);
      results.set(key, result);
    }
    return result;
  }

  private run(event: unknown): Result {
    return execute({ ...this.args, rootValue: event });
  }

  private async close(): Promise<void> {
    this.release();
    if (typeof this.source.return === 'function') await this.source.return();
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    shareKeys.release(this.key);
  }
}
