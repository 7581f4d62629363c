/** Where a stream gets its events from: told once when the stream closes. */
export interface StreamOwner {
  detach(stream: AnyStream): void;
}

/** Any stream, whatever its events: what an owner keeps and closes. */
export type AnyStream = Pick<EventStream<never>, 'push' | 'close'>;

/**
 * Who takes a stream's events as they come, instead of pulling them with `next()` (the
 * graphql-transport-ws handler: an idle subscription is then a registration, not a pending
 * promise). `event` runs synchronously in the publisher's dispatch and must not throw.
 */
export interface Sink<T> {
  /** False while it still handles the last event: events queue (bounded) until it calls `flush()`. */
  readonly ready: boolean;
  event(value: T): void;
  /** The stream has ended (closed by its owner, shutdown, or the sink itself). */
  end(): void;
}

const LIVE: Promise<void> = Promise.resolve();

/**
 * One subscriber's stream of events: what a GraphQL subscription iterates. Kept tiny on
 * purpose (a replica holds thousands of idle ones): a queue that exists only while events
 * wait, one pending resolver, and its owner to detach it from its channel. No closures of its
 * own: the channel calls `push` as a method.
 *
 * Not an async generator: a generator suspended in `await` cannot be returned until its
 * next event arrives, so an idle subscription whose socket closed would linger.
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  /** A subscriber that falls this far behind loses its oldest events (each carries the full state). */
  static readonly MAX_QUEUED = 256;

  private queue: T[] | undefined;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private done = false;
  private owner: StreamOwner | undefined;
  private sink: Sink<T> | undefined;
  /** Resolves once events published from now on reach this stream. */
  live: Promise<void> = LIVE;

  constructor(private readonly accept?: (event: T) => boolean) {}

  /** Called once by the source the stream listens to. */
  attach(live: Promise<void>, owner: StreamOwner): void {
    this.live = live;
    if (this.done) owner.detach(this);
    else this.owner = owner;
  }

  /** The source's listener: takes one event (ignored once closed or when not accepted). */
  push(event: T): void {
    if (this.done || (this.accept && !this.accept(event))) return;
    const sink = this.sink;
    if (sink && this.queue === undefined && sink.ready) {
      sink.event(event);
      return;
    }
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: event, done: false });
      return;
    }
    const queue = (this.queue ??= []);
    if (queue.length >= EventStream.MAX_QUEUED) queue.shift();
    queue.push(event);
  }

  /** Puts an event before everything queued (a snapshot the subscriber must see first). */
  unshift(event: T): void {
    if (this.done) return;
    (this.queue ??= []).unshift(event);
  }

  /**
   * From now on events go to `sink` (those queued first, at once) instead of `next()`. The
   * stream keeps no promise of its own any more: `live` is read before this, by the resolver.
   */
  deliverTo(sink: Sink<T>): void {
    this.live = LIVE;
    if (this.done) {
      sink.end();
      return;
    }
    this.sink = sink;
    this.flush();
  }

  /** The sink is ready again: hands it what queued meanwhile, while it stays ready. */
  flush(): void {
    for (let sink = this.sink; sink?.ready && this.queue !== undefined; sink = this.sink) {
      const queue = this.queue;
      const value = queue.shift() as T;
      if (queue.length === 0) this.queue = undefined;
      sink.event(value);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const queue = this.queue;
    if (queue && queue.length > 0) {
      const value = queue.shift() as T;
      if (queue.length === 0) this.queue = undefined;
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Waits up to `ms` for an event that `matches`; undefined when none came in time or the stream ended. */
  async nextMatching(matches: (event: T) => boolean, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
      for (;;) {
        const result = await Promise.race([this.next(), timeout]);
        if (result === undefined || result.done) return undefined;
        if (matches(result.value)) return result.value;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    this.queue = undefined;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
    const owner = this.owner;
    this.owner = undefined;
    owner?.detach(this);
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
  }
}
