import { expect } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { Metrics } from '../../../src/observability/metrics.js';
import { sql, type TestApp } from '../../support/app.js';
import { eventually } from '../../support/eventually.js';

/**
 * Gates for the group-commit specs: a message's advisory lock (LOCK_MESSAGE_SQL) held from a
 * connection of the test's own, so that the statement of that message waits, and what the
 * service's metrics say about its queue and its batches. With one batch lane
 * (WEBHOOK_BATCH_LANES=1), a held lock keeps the lane busy while the queue fills: the batches
 * are then known, not hoped for.
 */

/** A transaction of the test's that holds a message's lock until `release`. */
export interface HeldLock {
  /** Commits what the test's transaction did (its lock goes with it). */
  release(): Promise<void>;
}

/** Takes the message lock of `wahaId` in a transaction of the test's own; `then` runs SQL in it first. */
export async function holdMessageLock(
  t: TestApp,
  wahaId: string,
  then?: { text: string; values: unknown[] },
): Promise<HeldLock> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const em = t.app.get(MikroORM).em.fork() as EntityManager;
  const done = em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [wahaId]);
    if (then) await tx.execute(then.text, then.values);
    held();
    await released;
  });
  // A failure before the lock is held is the caller's at once.
  await Promise.race([holding, done]);
  return {
    async release() {
      release();
      await done;
    },
  };
}

/** Waits until `n` of the app's backends wait for a message lock. */
export async function messageLockWaiters(t: TestApp, n: number): Promise<void> {
  await eventually(
    async () => {
      const [row] = await sql<{ n: number }>(
        t,
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`,
      );
      expect(row!.n).toBe(n);
    },
    { intervalMs: 20 },
  );
}

/** Ends the backends that wait for a message lock, as a crash of their session would. */
export async function terminateLockWaiters(t: TestApp): Promise<number> {
  const rows = await sql(
    t,
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`,
  );
  return rows.length;
}

/** The webhook messages waiting for a batch (the whatsapp_hub_webhook_messages_queued gauge). */
export async function queuedMessages(t: TestApp): Promise<number> {
  const gauge = t.app.get(Metrics).registry.getSingleMetric('whatsapp_hub_webhook_messages_queued');
  const { values } = await gauge!.get();
  return values[0]?.value ?? 0;
}

/** Waits until `n` webhook messages are queued. */
export async function queued(t: TestApp, n: number): Promise<void> {
  await eventually(async () => expect(await queuedMessages(t)).toBe(n), { intervalMs: 10 });
}

/** Batches so far: how many, their events in all, and how many were rolled back and stored one by one. */
export async function batchFigures(
  t: TestApp,
): Promise<{ batches: number; events: number; fallbacks: number }> {
  const metrics = t.app.get(Metrics);
  const { values } = await metrics.webhookMessageBatches.get();
  const valueOf = (suffix: string) =>
    values.find((v) => (v as { metricName?: string }).metricName?.endsWith(suffix))?.value ?? 0;
  const fallbacks = (await metrics.webhookMessageBatchFallbacks.get()).values[0]?.value ?? 0;
  return { batches: valueOf('_count'), events: valueOf('_sum'), fallbacks };
}
