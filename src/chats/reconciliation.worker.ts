import { EntityManager } from '@mikro-orm/core';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { JobLoop } from '../common/job-loop.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { Metrics } from '../observability/metrics.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { claimDueSessions, type QueuedReconciliation, scheduleNewSessions } from './reconciliation-sql.js';

/**
 * Sessions claimed per pass, on each replica. One pass per poll (not a drain until nothing is
 * due): when WAHA restarts, every session reconnects at once, and their syncs leave a few at a
 * time instead of all hitting WAHA together.
 */
const BATCH = 20;

/**
 * Reconciliation with WAHA: WAHA sometimes stores a message and never announces it by any
 * webhook (WAHA #2250), so every WORKING session's recent chats and messages are re-read from
 * time to time through n8n's chats.sync (ChatSyncService stores them without duplicates and
 * counts what was missing). Periodic, every RECONCILE_INTERVAL_MS (a session's first one at a
 * random point of its first interval), and on reconnect: a session WORKING again since its last
 * one. Never twice within RECONCILE_MIN_GAP_MS, nor while a chats.sync of the session still
 * waits in the outbox. Every replica runs one worker; the session's row in
 * session_reconciliations is claimed with `for update skip locked` and its command written in
 * the same transaction (reconciliation-sql.ts). RECONCILE_INTERVAL_MS=0 turns all of it off.
 */
@Injectable()
export class ReconciliationWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconciliationWorker.name);
  private readonly loop: JobLoop;

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { intervalMs } = config.sending.reconciliation;
    // A tenth of the interval, so a due session waits a small part of it; between 1 s and 10 s.
    const pollMs = Math.min(10_000, Math.max(1_000, Math.floor(intervalMs / 10)));
    this.loop = new JobLoop('Reconciliation', this.logger, pollMs, async () => {
      await this.reconcileDue();
      return 0;
    });
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  private get enabled(): boolean {
    return this.config.sending.reconciliation.intervalMs > 0;
  }

  /**
   * One pass: gives sessions seen for the first time their schedule, then queues a chats.sync
   * for each session due now (at most BATCH); what it queued. Nothing when reconciliation is off.
   */
  async reconcileDue(): Promise<QueuedReconciliation[]> {
    if (!this.enabled) return [];
    const { intervalMs, minGapMs, chatsLimit, messagesLimit } = this.config.sending.reconciliation;
    const timing = { intervalMs, minGapMs };
    const em = this.em.fork();
    await scheduleNewSessions(em, timing, BATCH);
    const queued = await em.transactional((tx) =>
      claimDueSessions(tx, timing, { chatsLimit, messagesLimit }, BATCH),
    );
    if (queued.length === 0) return queued;
    this.outbox.notifyCommitted();
    for (const { sessionId, trigger } of queued) {
      this.metrics.reconciliations.inc({ trigger });
      this.logger.log(`Reconciling session ${sessionId} with WAHA (${trigger}): chats.sync queued`);
    }
    return queued;
  }
}
