import { EntityManager } from '@mikro-orm/core';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { JobLoop, retryBackoffMs } from '../common/job-loop.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { failureReason, MediaFailure } from '../media/media-failures.js';
import { type DownloadOutcome, WahaFiles } from '../media/waha-files.js';
import { MessageEvents } from './message-events.js';
import { loadMessageForPublish } from './message-views.js';
import { mediaReadyDeliveriesSql } from './webhook-event-sql.js';

const ACTOR: Actor = 'system:media-download';

interface ClaimedRow {
  id: string;
  tenant_id: string;
  session_id: string;
  source_url: string | null;
  attempts: number;
}

/**
 * Copies received files out of WAHA into the media store, before WAHA deletes them
 * (WHATSAPP_FILES_LIFETIME, 180 s by default). The media row is the job: the webhook writes it
 * PENDING in the statement that stores its message, so the webhook's 2xx never waits for a
 * download and no job is lost between the two. Every replica runs one worker; rows are claimed
 * with `FOR UPDATE SKIP LOCKED` and a lease (`locked_until`), so replicas never fetch the same
 * file at once, and a replica that dies mid-download releases its rows when the lease runs out.
 * A claim counts as an attempt, so a file that crashes its replica is not retried forever.
 * Failures that may pass (5xx, network) retry with exponential backoff and jitter, up to
 * MEDIA_DOWNLOAD_MAX_ATTEMPTS; a file WAHA no longer has, or one too large, fails at once. Each
 * READY or FAILED is pushed on whatsappMessageUpserted with its message.
 */
@Injectable()
export class MediaDownloadWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MediaDownloadWorker.name);
  private readonly loop: JobLoop;

  constructor(
    private readonly em: EntityManager,
    private readonly files: WahaFiles,
    private readonly events: MessageEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new JobLoop('Media download', this.logger, config.media.downloadPollIntervalMs, () =>
      this.runBatch(),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.media.downloads) this.loop.start();
  }

  /** Stops polling and waits for the downloads in flight; rows not reached stay PENDING for later. */
  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Runs the jobs that are due now: call after committing PENDING inbound media (no-op when off). */
  wake(): void {
    this.loop.wake();
  }

  /** Runs every job due now, batch after batch; resolves with how many were attempted. */
  drain(): Promise<number> {
    return this.loop.drain();
  }

  private async runBatch(): Promise<number> {
    // The lease outlasts one download's own timeout, so a live download is never taken over.
    const leaseSeconds = Math.ceil(this.config.media.downloadTimeoutMs / 1000) + 30;
    const rows = (await this.em.getConnection().execute(
      `update media m set locked_until = now() + make_interval(secs => ?), attempts = m.attempts + 1
        where m.id in (
          select d.id from media d
           where d.state = 'PENDING' and d.direction = 'INBOUND' and d.next_attempt_at <= now()
             and (d.locked_until is null or d.locked_until < now())
           order by d.next_attempt_at, d.id
           limit ?
           for update skip locked)
        returning m.id, m.tenant_id, m.session_id, m.source_url, m.attempts`,
      [leaseSeconds, this.config.media.downloadConcurrency],
    )) as ClaimedRow[];
    await Promise.all(rows.map((row) => this.runOne(row)));
    return rows.length;
  }

  private async runOne(row: ClaimedRow): Promise<void> {
    let outcome: DownloadOutcome;
    try {
      outcome = row.source_url
        ? await this.files.copy({ id: row.id, tenantId: row.tenant_id, sourceUrl: row.source_url })
        : {
            kind: 'failed',
            reason: failureReason(MediaFailure.MEDIA_NO_URL, 'WAHA gave no URL for the file'),
          };
    } catch (error) {
      outcome = { kind: 'retry', error: messageOf(error) };
    }
    try {
      if (await this.record(row, outcome)) await this.publish(row);
    } catch (error) {
      // The lease runs out and another pass takes the row again: nothing is lost.
      this.logger.error(`Recording the download of media ${row.id} failed: ${messageOf(error)}`);
    }
  }

  /** Writes the outcome; true when the row reached READY or FAILED here (and so is news). */
  private async record(row: ClaimedRow, outcome: DownloadOutcome): Promise<boolean> {
    const connection = this.em.getConnection();
    if (outcome.kind === 'stored') {
      // Only a PENDING row: a replica whose lease ran out mid-download (a stall) may finish
      // second; the file under the same key is the same, and the row is news only once.
      // With the tenant's media.ready webhook deliveries, in the same statement.
      const done = await connection.execute<{ id: string }[]>(
        `with ready as (
          update media set state = 'READY', size = ?, sha256 = ?, storage_key = ?,
                mimetype = coalesce(mimetype, ?), filename = coalesce(filename, ?),
                failure_reason = null, next_attempt_at = null, locked_until = null,
                updated_at = now(), updated_by = ?
          where id = ? and state = 'PENDING' returning id, tenant_id, session_id, mimetype, size
        ),
        hook as (
          ${mediaReadyDeliveriesSql('select tenant_id, session_id, id as media_id, mimetype, size from ready')}
          returning 1
        )
        select id from ready`,
        [outcome.size, outcome.sha256, outcome.storageKey, outcome.mimetype, outcome.filename, ACTOR, row.id],
      );
      this.logger.log(`Copied media ${row.id} from WAHA: ${outcome.size} bytes (attempt ${row.attempts})`);
      return done.length > 0;
    }
    const exhausted = row.attempts >= this.config.media.downloadMaxAttempts;
    if (outcome.kind === 'retry' && !exhausted) {
      const delayMs = this.backoffMs(row.attempts);
      await connection.execute(
        `update media set locked_until = null, next_attempt_at = now() + make_interval(secs => ?),
                updated_at = now(), updated_by = ?
          where id = ? and state = 'PENDING'`,
        [delayMs / 1000, ACTOR, row.id],
      );
      this.logger.warn(
        `Copying media ${row.id} from WAHA failed (attempt ${row.attempts}), will retry in ${delayMs} ms: ${outcome.error}`,
      );
      return false;
    }
    const reason =
      outcome.kind === 'failed'
        ? outcome.reason
        : failureReason(
            MediaFailure.MEDIA_UNAVAILABLE,
            `WAHA did not give the file in ${row.attempts} attempts; the last: ${outcome.error}`,
          );
    const done = await connection.execute<{ id: string }[]>(
      `update media set state = 'FAILED', failure_reason = ?, next_attempt_at = null, locked_until = null,
              updated_at = now(), updated_by = ?
        where id = ? and state = 'PENDING' returning id`,
      [reason, ACTOR, row.id],
    );
    this.logger.warn(`Media ${row.id} FAILED: ${reason}`);
    return done.length > 0;
  }

  /** Pushes each message that names the media, read fresh with its chat and parts. */
  private async publish(row: ClaimedRow): Promise<void> {
    const ref = { tenantId: row.tenant_id, sessionId: row.session_id };
    const messages = await this.em
      .getConnection()
      .execute<{ waha_id: string }[]>(
        `select waha_id from messages where tenant_id = ? and session_id = ? and media_id = ? and waha_id is not null`,
        [ref.tenantId, ref.sessionId, row.id],
      );
    for (const { waha_id: wahaId } of messages) {
      const view = await loadMessageForPublish(this.em, ref, wahaId);
      if (view) this.events.publishStored(ref, view.chat, view.message);
    }
  }

  /** Exponential from MEDIA_DOWNLOAD_BASE_BACKOFF_MS, capped at MEDIA_DOWNLOAD_MAX_BACKOFF_MS, ±25% jitter. */
  private backoffMs(attempt: number): number {
    const { downloadBaseBackoffMs, downloadMaxBackoffMs } = this.config.media;
    return retryBackoffMs(attempt, downloadBaseBackoffMs, downloadMaxBackoffMs);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
