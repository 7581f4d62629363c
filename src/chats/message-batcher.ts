/**
 * Group commit for the message hot path (issue 15): webhook messages that arrive together are
 * stored in one transaction, so they share one commit and one WAL flush instead of paying one
 * each (measured before: the backends mostly waited on the WAL flush, LWLock:WALWrite and
 * IO:WALSync). This file is only the queue; what a batch does is MessageIngestService's.
 *
 * - Events go to one of `lanes` by their key (a chat): a chat's events always take the same
 *   lane, and a lane runs one batch at a time, so a chat's events are committed in the order
 *   they arrived, and two batches in flight never wait on each other's chat rows. The lanes run
 *   side by side (each takes a connection of the pipelined pool while it runs a batch, see
 *   PreparedStatements.pipelined).
 * - A lane starts a batch as soon as it is idle, with everything queued for it then (at most
 *   `maxEvents`): no timer. A lone event goes at once, in a batch of one; under load the lane's
 *   queue fills while its batch runs, and the next batch takes it.
 * - Within a batch, events are sorted by key (stable: arrival order within a chat), one lock
 *   order for every batch.
 * - Each caller gets its own outcome: `run` settles the batch's connection work (after the
 *   commit that holds every row of it) and hands back one continuation per event, called in
 *   order before the lane takes its next batch; its promise is that caller's answer.
 */

/** What a batch hands back per event: the rest of its work, after the batch's connection is released. */
export type Continuation<R> = () => Promise<R>;

export interface MessageBatcherOptions<I, R> {
  /** Batches in flight at once, one per lane; each holds one pipelined connection while it runs. */
  lanes: number;
  /** The most events in one batch. */
  maxEvents: number;
  /** The event's chat: its lane, and its place in a batch's lock order. */
  keyOf(input: I): string;
  /**
   * Stores one batch (its events in lock order) and answers one continuation per event, in the
   * same order. Should not reject: a failure is the failing events' continuations.
   */
  run(inputs: I[]): Promise<Continuation<R>[]>;
}

interface Waiting<I, R> {
  input: I;
  key: string;
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface Lane<I, R> {
  queue: Waiting<I, R>[];
  running: boolean;
}

/** FNV-1a: a chat's lane, the same in every process. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

export class MessageBatcher<I, R> {
  private readonly lanes: Lane<I, R>[];

  constructor(private readonly options: MessageBatcherOptions<I, R>) {
    this.lanes = Array.from({ length: Math.max(1, options.lanes) }, () => ({ queue: [], running: false }));
  }

  /** Events waiting for a batch (not those in flight). */
  get queued(): number {
    return this.lanes.reduce((n, lane) => n + lane.queue.length, 0);
  }

  /** Stores `input` in the next batch of its lane; its outcome once committed. */
  submit(input: I): Promise<R> {
    const key = this.options.keyOf(input);
    const lane = this.lanes[hashOf(key) % this.lanes.length]!;
    return new Promise<R>((resolve, reject) => {
      lane.queue.push({ input, key, resolve, reject });
      this.pump(lane);
    });
  }

  private pump(lane: Lane<I, R>): void {
    if (lane.running || lane.queue.length === 0) return;
    const batch = lane.queue.splice(0, this.options.maxEvents);
    // One lock order for all: by chat, arrival order kept within a chat (sort is stable).
    batch.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    lane.running = true;
    void this.runBatch(lane, batch);
  }

  private async runBatch(lane: Lane<I, R>, batch: Waiting<I, R>[]): Promise<void> {
    let continuations: Continuation<R>[];
    try {
      continuations = await this.options.run(batch.map((waiting) => waiting.input));
    } catch (error) {
      // `run` answers failures per event; this is only a safety net, so no caller waits forever.
      continuations = batch.map(() => () => Promise.reject(error));
    }
    // In order, before the lane's next batch: what each does at once (publishing) keeps the
    // chat's order too.
    batch.forEach((waiting, i) => {
      let answer: Promise<R>;
      try {
        answer = continuations[i]!();
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(waiting.resolve, waiting.reject);
    });
    lane.running = false;
    this.pump(lane);
  }
}
