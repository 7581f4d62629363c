import { AsyncResource } from 'node:async_hooks';
import { type Logger } from '@nestjs/common';

/**
 * The polling loop of a table-backed job runner (the outbox dispatcher, the media download
 * worker): run batches until none is left, then wait `pollIntervalMs`; `wake()` after a commit
 * runs the due rows now (or once more after the current pass); `stop()` stops polling and waits
 * for the pass in flight. What a batch does, and how rows are claimed across replicas, is the
 * runner's own: `runBatch` answers how many rows it attempted (0 = nothing due). A runner whose
 * rows become due at times it knows (a paced send) passes `nextDueInMs`: asked after each pass,
 * it answers in how many ms the earliest such row is due (null: none), and the loop runs again
 * then when that is sooner than its next poll.
 */
export class JobLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeRequested = false;
  private started = false;
  private stopped = false;
  /**
   * `wake()` is called from inside requests; timers inherit the async context they are
   * created in (the request's log bindings, its MikroORM context). Scheduling through a
   * function bound at start keeps the loop out of every request's context.
   */
  private scheduleOutsideRequests: (delayMs: number) => void = (delayMs) => this.schedule(delayMs);

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
    private readonly pollIntervalMs: number,
    private readonly runBatch: () => Promise<number>,
    private readonly nextDueInMs?: () => Promise<number | null>,
  ) {}

  start(): void {
    this.started = true;
    this.scheduleOutsideRequests = AsyncResource.bind((delayMs: number) => this.schedule(delayMs));
    this.schedule(0);
  }

  /** Stops polling and waits for the pass in flight; rows not reached stay for later. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Runs the rows that are due now: call after committing one. No-op before start(). */
  wake(): void {
    if (this.stopped || !this.started) return;
    if (this.running) this.wakeRequested = true;
    else this.scheduleOutsideRequests(0);
  }

  /** Runs every row due now, batch after batch; resolves with how many were attempted. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const attempted = await this.runBatch();
      total += attempted;
      if (attempted === 0 || this.stopped) return total;
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      let idleMs = this.pollIntervalMs;
      this.running = this.loop()
        .then((ms) => {
          idleMs = ms;
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(this.wakeRequested ? 0 : idleMs);
          this.wakeRequested = false;
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One pass: every batch due now; answers how long to sleep before the next pass. */
  private async loop(): Promise<number> {
    try {
      do {
        this.wakeRequested = false;
        await this.drain();
      } while (this.wakeRequested && !this.stopped);
      const dueInMs = this.stopped ? null : await this.nextDueInMs?.();
      // A row already due (0 or less) is claimed by a pass 1 ms from now.
      if (typeof dueInMs === 'number') return Math.max(1, Math.min(this.pollIntervalMs, dueInMs));
    } catch (error) {
      this.logger.error(
        `${this.name} loop failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return this.pollIntervalMs;
  }
}

/**
 * The wait before retry `attempt` (1 = the first retry) of a job runner's row: exponential from
 * `baseMs`, capped at `maxMs`, with ±25% jitter so rows that failed together do not retry
 * together. One rule for the outbox, the media downloads and the tenant webhooks.
 */
export function retryBackoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.75 + Math.random() * 0.5));
}
