import { EntityManager } from '@mikro-orm/core';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { JobLoop, retryBackoffMs } from '../common/job-loop.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Metrics } from '../observability/metrics.js';
import { type AppConfig } from '../config/env.js';
import { type CommandEnvelope, type CommandType } from './commands.js';
import { N8nClient } from './n8n.client.js';
import { OutboxStatus } from './outbox-command.entity.js';
import { pendingHeadsCte } from './outbox-heads.js';
import { OutboxService } from './outbox.service.js';
import { SendPacer } from './send-pacing.js';

/**
 * Commands claimed at once, delivered in parallel. A claim takes at most one per session, so with
 * fewer sessions than this a batch is every session's next command; at 500 commands/s over 50
 * sessions a batch of 20 needed 25 claims a second and fell behind on one replica.
 */
const BATCH_SIZE = 64;

interface ClaimedRow {
  id: string;
  tenant_id: string;
  type: CommandType;
  session_id: string | null;
  payload: unknown;
  attempts: number;
  created_at: Date;
  /** Seconds the session's pace held this command (paced commands, pacing on); see SendPacer. */
  paced_for: number | null;
}

export interface OutboxStats {
  pending: number;
  dead: number;
  oldestPendingAgeSeconds: number | null;
  lastError: string | null;
}

/**
 * Delivers outbox commands to n8n until each is accepted. Every replica runs one; rows are
 * claimed with `FOR UPDATE SKIP LOCKED` and a lease (`locked_until`), so replicas never
 * deliver the same row at once and a replica that dies mid-delivery releases its rows when
 * the lease runs out. Per session only the oldest pending command is eligible (pendingHeadsCte),
 * so a session's commands arrive in order. Failures retry with exponential backoff and jitter.
 * Sends (SendPacer's paced types) also wait for their session's pace, kept in the database
 * so it holds across replicas; a held session holds only its own queue, never another's.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxDispatcher.name);
  private unsubscribe: (() => void) | undefined;
  private readonly loop: JobLoop;

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    private readonly n8n: N8nClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly pacer: SendPacer,
  ) {
    this.loop = new JobLoop(
      'Outbox delivery',
      this.logger,
      config.outbox.pollIntervalMs,
      () => this.deliverBatch(),
      () => this.pacer.nextDueInMs(),
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.outbox.enabled) return;
    this.unsubscribe = this.outbox.onCommitted(() => this.wake());
    this.loop.start();
  }

  /**
   * Stops polling and waits for the delivery in flight, before the HTTP server drains and
   * the database closes. Commands written by requests still draining stay PENDING and are
   * delivered by another replica or after the restart: nothing is lost.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Delivers every command that is due now; resolves with how many were attempted. */
  drain(): Promise<number> {
    return this.loop.drain();
  }

  async stats(): Promise<OutboxStats> {
    const [row] = (await this.em.getConnection().execute(
      // Only what is not delivered (outbox_commands_undelivered_index): delivered commands are
      // kept and are nearly all of the table, and every metrics scrape asks this three times.
      `select count(*) filter (where status = 'PENDING')::int as pending,
              count(*) filter (where status = 'DEAD')::int as dead,
              extract(epoch from now() - min(created_at) filter (where status = 'PENDING'))::float as oldest,
              (array_agg(last_error order by id desc) filter (where last_error is not null))[1] as last_error
         from outbox_commands where status <> 'DELIVERED'`,
    )) as { pending: number; dead: number; oldest: number | null; last_error: string | null }[];
    return {
      pending: row?.pending ?? 0,
      dead: row?.dead ?? 0,
      oldestPendingAgeSeconds:
        row?.oldest === null || row?.oldest === undefined ? null : Math.round(row.oldest),
      lastError: row?.last_error ?? null,
    };
  }

  private async deliverBatch(): Promise<number> {
    const leaseSeconds = Math.ceil((this.config.n8n.timeoutMs * 2) / 1000) + 5;
    const rows = (await this.em.getConnection().execute(
      `with recursive ${pendingHeadsCte(BATCH_SIZE)}
       update outbox_commands c set locked_until = now() + make_interval(secs => ?)
        where c.id in (
          select o.id from outbox_commands o
           where o.id in (select id from candidates)
             and o.status = 'PENDING' and o.next_attempt_at <= now()
             and (o.locked_until is null or o.locked_until < now())
             ${this.pacer.claimCondition('o')}
           order by o.id
           limit ?
           for update skip locked)
        returning c.id, c.tenant_id, c.type, c.session_id, c.payload, c.attempts, c.created_at,
                  ${this.pacer.pacedForSql('c')} as paced_for`,
      [leaseSeconds, BATCH_SIZE],
    )) as ClaimedRow[];
    // Different sessions in parallel; within a batch each session has at most one row.
    const delivered = (await Promise.all(rows.map((row) => this.deliverOne(row)))).filter(
      (id): id is string => id !== null,
    );
    // What n8n accepted (and no pace records), recorded in one statement rather than one each.
    if (delivered.length > 0) {
      await this.em.getConnection().execute(
        `update outbox_commands set status = ?, attempts = attempts + 1, delivered_at = now(), locked_until = null, last_error = null
          where id in (?)`,
        [OutboxStatus.DELIVERED, delivered],
      );
    }
    return rows.length;
  }

  /** Delivers one claimed command and records a failure or a paced success; returns its id when delivered and not yet recorded. */
  private async deliverOne(row: ClaimedRow): Promise<string | null> {
    const attempt = row.attempts + 1;
    const paced = this.pacer.isPaced(row.type, row.session_id);
    if (paced) this.pacer.observeDelay(row.paced_for);
    // A paced attempt's outcome sets the session's pace in the same statement (see SendPacer).
    const record = (sql: string, params: unknown[]) => {
      const statement = paced ? this.pacer.withPace(sql, params) : { sql, params };
      return this.em.getConnection().execute(statement.sql, statement.params);
    };
    const envelope: CommandEnvelope = {
      commandId: row.id,
      type: row.type,
      tenantId: row.tenant_id,
      sessionId: row.session_id,
      attempt,
      issuedAt: new Date(row.created_at).toISOString(),
      payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as never,
    };
    const result = await this.n8n.deliver(envelope);
    if (result.ok) {
      this.metrics.outboxDeliveries.inc({ type: row.type, outcome: 'delivered' });
      this.logger.log(`Delivered ${row.type} ${row.id} (attempt ${attempt})`);
      if (!paced) return row.id;
      await record(
        `update outbox_commands set status = ?, attempts = ?, delivered_at = now(), locked_until = null, last_error = null
          where id = ?`,
        [OutboxStatus.DELIVERED, attempt, row.id],
      );
      return null;
    }
    const dead = attempt >= this.config.outbox.maxAttempts;
    const delayMs = this.backoffMs(attempt);
    await record(
      `update outbox_commands set status = ?, attempts = ?, last_error = ?, locked_until = null,
              next_attempt_at = now() + make_interval(secs => ?)
        where id = ?`,
      [dead ? OutboxStatus.DEAD : OutboxStatus.PENDING, attempt, result.error, delayMs / 1000, row.id],
    );
    this.metrics.outboxDeliveries.inc({ type: row.type, outcome: dead ? 'dead' : 'failed' });
    const what = dead ? 'gave up on' : `will retry in ${Math.round(delayMs)} ms`;
    this.logger.warn(
      `Delivery of ${row.type} ${row.id} failed (attempt ${attempt}), ${what}: ${result.error}`,
    );
    return null;
  }

  /** Exponential from OUTBOX_BASE_BACKOFF_MS, capped at OUTBOX_MAX_BACKOFF_MS, with ±25% jitter. */
  private backoffMs(attempt: number): number {
    const { baseBackoffMs, maxBackoffMs } = this.config.outbox;
    return retryBackoffMs(attempt, baseBackoffMs, maxBackoffMs);
  }
}
