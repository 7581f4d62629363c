/** Longest delay setTimeout takes (about 24.8 days); a later deadline is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Deadlines of many sockets on ONE timer: `due(socket)` runs once the socket's deadline has
 * passed, unless it was `forget`-ten first (its socket closed).
 *
 * A replica holds thousands of idle sockets, each with its token's expiry. A timer per socket
 * (a Timeout, its callback and a `close` listener to clear it) was ~300 bytes of each idle
 * socket's heap; here a socket costs a Set entry and a Map entry. Deadlines are kept per whole
 * second (a JWT's `exp` is in seconds anyway) and a socket is handed to `due` in the first
 * timer run at or after its second: never early.
 */
export class SocketDeadlines<S extends object> {
  /** Sockets by the second (epoch) their deadline falls in. */
  private readonly bySecond = new Map<number, Set<S>>();
  /** Each socket's bucket, so forgetting it is one delete. */
  private readonly bucketOf = new Map<S, Set<S>>();
  private timer: NodeJS.Timeout | undefined;
  /** The second the timer is set for. */
  private timerSecond = Infinity;

  constructor(private readonly due: (socket: S) => void) {}

  /** Runs `due(socket)` at `at` (at once when it has passed); a later call replaces the deadline. */
  add(socket: S, at: Date): void {
    this.forget(socket);
    if (at.getTime() <= Date.now()) {
      this.due(socket);
      return;
    }
    const second = Math.ceil(at.getTime() / 1000);
    let bucket = this.bySecond.get(second);
    if (!bucket) {
      bucket = new Set();
      this.bySecond.set(second, bucket);
    }
    bucket.add(socket);
    this.bucketOf.set(socket, bucket);
    if (second < this.timerSecond) this.schedule(second);
  }

  /** The socket closed: nothing to do at its deadline any more. */
  forget(socket: S): void {
    const bucket = this.bucketOf.get(socket);
    if (!bucket) return;
    bucket.delete(socket);
    this.bucketOf.delete(socket);
  }

  /** Sockets with a deadline, for tests. */
  get size(): number {
    return this.bucketOf.size;
  }

  private schedule(second: number): void {
    clearTimeout(this.timer);
    this.timerSecond = second;
    const delay = Math.min(Math.max(second * 1000 - Date.now(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerSecond = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [second, bucket] of this.bySecond) {
      if (second * 1000 > now) {
        if (bucket.size > 0) next = Math.min(next, second);
        else this.bySecond.delete(second);
        continue;
      }
      this.bySecond.delete(second);
      for (const socket of bucket) {
        this.bucketOf.delete(socket);
        this.due(socket);
      }
    }
    if (next !== Infinity) this.schedule(next);
  }
}
