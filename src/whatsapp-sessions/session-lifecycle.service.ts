import { EntityManager, LockMode } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { DomainError } from '../common/domain-error.js';
import { validStoredInstant } from '../common/input-checks.js';
import { storableText } from '../common/storable.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { sqlOf } from '../database/sql.js';
import { CommandType } from '../outbox/commands.js';
import { OutboxCommand } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { deliveriesInsertSql, isoSql, WebhookEventType } from '../tenant-webhooks/webhook-events.js';
import {
  type EventOwner,
  newerEventRecorded,
  type ReceivedEvent,
  recordWebhookEvent,
} from '../inbox/webhook-events.js';
import { QR_SERIES_LENGTH, WahaClock } from '../waha/waha-clock.js';
import { type WahaSessionStatus } from '../waha/waha.types.js';
import { LinkCodeWrites, type LinkChange } from './link-code-writes.js';
import { takeReportedPairingCode, takeReportedQr } from './link-codes.js';
import { SessionEvents } from './session-events.js';
import { applyLimits, type LimitsReport } from './session-limits.js';
import {
  applyReportedStatus,
  type LinkedAccount,
  sessionStatusOf,
  type StatusReport,
} from './session-status.js';
import { SessionStatus, WhatsappSession } from './whatsapp-session.entity.js';
import { shownChanged, shownOf } from './whatsapp-session.shown.js';
import { validLinkedAccount, validQrValue } from './whatsapp-session.validation.js';

export type { LinkedAccount, StatusReport } from './session-status.js';

export const N8N_ACTOR: Actor = 'system:n8n';
export const WAHA_WEBHOOK_ACTOR: Actor = 'system:waha-webhook';

/** What a change did besides the row: the row's own change is judged by what the API shows of it. */
interface ChangeEffects {
  /** The change wrote outbox commands: wake the dispatcher after commit. */
  commands?: boolean;
}

interface ChangeResult extends ChangeEffects {
  /** What the API shows of the session changed: publish it. */
  changed: boolean;
}

type Change = (session: WhatsappSession, em: EntityManager) => ChangeEffects;

/**
 * Applies what WAHA says about a session — through n8n's write-backs or WAHA's webhooks —
 * to its row. Callers have no tenant (they are n8n or WAHA), so the session is looked up
 * by id across tenants on purpose, and its tenant is then the row's own. Every method is
 * idempotent: reporting the same thing twice changes nothing and publishes nothing the
 * second time. Concurrent reports for one session are serialized by the row's lock, or, for
 * QR and pairing-code reports, by the row's version (LinkCodeWrites), which has the same effect.
 */
@Injectable()
export class SessionLifecycleService {
  private readonly clock: WahaClock;

  constructor(
    private readonly em: EntityManager,
    private readonly events: SessionEvents,
    private readonly outbox: OutboxService,
    private readonly linkWrites: LinkCodeWrites,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.clock = new WahaClock(config.waha.timeScale);
  }

  async applyStatus(
    sessionId: string,
    status: WahaSessionStatus,
    actor: Actor,
    options: StatusReport = {},
  ): Promise<WhatsappSession> {
    // n8n's report (reportSessionStatus); WAHA's webhook judges its own account (applyWebhookStatus).
    const me = options.me ? validLinkedAccount(options.me, 'input.me') : options.me;
    const loggedOut = await this.answersLogout(sessionId, options.commandId);
    return this.mutate(sessionId, actor, this.statusChange(status, { ...options, me }, loggedOut));
  }

  /**
   * WAHA's own `session.status` webhook: records the event in the inbox and applies it, in one
   * transaction under one lock of the session's row. A redelivery is 'duplicate'; a status older
   * than one already applied (WAHA delivers unordered) is recorded, so its retries are
   * duplicates, but 'stale' and not applied. The event's `me` was judged by the webhook edge.
   */
  async applyWebhookStatus(
    owner: EventOwner,
    event: ReceivedEvent,
    status: WahaSessionStatus,
    report: Pick<StatusReport, 'me' | 'statusData' | 'limits'>,
  ): Promise<'duplicate' | 'stale' | 'applied'> {
    const options: StatusReport = {
      ...report,
      fetchQrOnScan: true,
      // WAHA's clock anchors QR expiries.
      occurredAt: event.occurredAt,
    };
    const outcome = await this.em.fork().transactional(async (em) => {
      if (!(await recordWebhookEvent(em, owner, event))) return 'duplicate' as const;
      return this.mutateIn(
        em,
        owner.sessionId,
        WAHA_WEBHOOK_ACTOR,
        this.statusChange(status, options, false),
        async () => !(await newerEventRecorded(em, owner.sessionId, event)),
      );
    });
    if (outcome === 'duplicate') return outcome;
    if (!outcome.result) return 'stale';
    await this.afterCommit(outcome.session, outcome.result);
    return 'applied';
  }

  /**
   * Whether a report answers the session's logout command: WAHA has then forgotten the account,
   * whatever status it reports (a stopped session stays STOPPED, a running one starts over).
   */
  private async answersLogout(sessionId: string, commandId: string | null | undefined): Promise<boolean> {
    if (!commandId) return false;
    const found = await this.em
      .fork()
      .count(OutboxCommand, { id: commandId, sessionId, type: CommandType.SESSION_LOGOUT });
    return found > 0;
  }

  /** A status change for `mutate`: WAHA's statuses this service does not follow change nothing. */
  private statusChange(status: WahaSessionStatus, report: StatusReport, loggedOut: boolean): Change {
    const followed = sessionStatusOf(status);
    return (session, em) => {
      if (!followed) return {};
      const was = session.status;
      const { fetchQr } = applyReportedStatus(session, followed, report, {
        loggedOut,
        clock: this.clock,
        now: new Date(),
      });
      if (fetchQr) this.outbox.enqueue(em, CommandType.SESSION_FETCH_QR, this.targetOf(session), {});
      // A new WORKING stretch (a link, a reconnect): WhatsApp's limits may have changed meanwhile,
      // and WAHA's `me` may not carry them (an engine without capping, an older WAHA); n8n asks.
      const fetchLimits =
        was !== session.status && session.status === SessionStatus.WORKING && !session.deletedAt;
      if (fetchLimits) this.outbox.enqueue(em, CommandType.SESSION_LIMITS, this.targetOf(session), {});
      return { commands: fetchQr || fetchLimits };
    };
  }

  async applyQr(
    sessionId: string,
    qr: { value: string; sequence?: number | null; expiresAt?: Date | null },
    actor: Actor,
  ): Promise<WhatsappSession> {
    validQrValue(qr.value, 'input.value');
    if (qr.expiresAt) validStoredInstant(qr.expiresAt, 'input.expiresAt');
    if (
      qr.sequence !== undefined &&
      qr.sequence !== null &&
      (qr.sequence < 1 || qr.sequence > QR_SERIES_LENGTH)
    ) {
      throw DomainError.badInput('input.sequence', `A QR sequence is from 1 to ${QR_SERIES_LENGTH}`);
    }
    return this.mutateLink(sessionId, actor, (session) =>
      takeReportedQr(session, qr, Date.now(), this.clock),
    );
  }

  async applyPairingCode(
    sessionId: string,
    pairing: { code: string; expiresAt?: Date | null },
    actor: Actor,
  ): Promise<WhatsappSession> {
    if (!/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/.test(pairing.code)) {
      throw DomainError.badInput('input.code', 'A pairing code looks like ABCD-EFGH');
    }
    if (pairing.expiresAt) validStoredInstant(pairing.expiresAt, 'input.expiresAt');
    const code = pairing.code.includes('-')
      ? pairing.code
      : `${pairing.code.slice(0, 4)}-${pairing.code.slice(4)}`;
    return this.mutateLink(sessionId, actor, (session) =>
      takeReportedPairingCode(
        session,
        { code, expiresAt: pairing.expiresAt ?? null },
        Date.now(),
        this.clock,
      ),
    );
  }

  /** n8n's fresh look at the account's limits (reportSessionLimits): applied while the session is WORKING. */
  async applyLimitsReport(sessionId: string, limits: LimitsReport, actor: Actor): Promise<WhatsappSession> {
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt || session.status !== SessionStatus.WORKING) return {};
      applyLimits(session, limits);
      return {};
    });
  }

  async applyLinkedAccount(
    sessionId: string,
    account: LinkedAccount,
    actor: Actor,
  ): Promise<WhatsappSession> {
    const me = validLinkedAccount(account, 'input.me');
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt) return {};
      session.meId = me.id;
      session.mePushName = me.pushName;
      return {};
    });
  }

  async applyFailure(
    sessionId: string,
    failure: {
      reason: string;
      wahaStatusCode?: number | null;
      wahaMessage?: string | null;
      status?: WahaSessionStatus | null;
    },
    actor: Actor,
  ): Promise<WhatsappSession> {
    const upstream = failure.wahaStatusCode
      ? ` (WAHA ${failure.wahaStatusCode}${failure.wahaMessage ? `: ${failure.wahaMessage}` : ''})`
      : failure.wahaMessage
        ? ` (WAHA: ${failure.wahaMessage})`
        : '';
    // n8n's and WAHA's words, shown as they are as far as PostgreSQL can hold them: a NUL or a
    // broken surrogate is marked U+FFFD, not refused (the failure is still worth showing).
    const message = storableText(`${failure.reason}${upstream}`, 2000);
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt) return {};
      if (session.lastError !== message) {
        session.lastError = message;
        session.lastErrorAt = new Date();
      }
      const status = failure.status ? sessionStatusOf(failure.status) : null;
      if (status) session.status = status;
      return {};
    });
  }

  /** WAHA no longer has the session: remove it for good. Reporting it again is a no-op. */
  async confirmDeleted(sessionId: string): Promise<boolean> {
    const em = this.em.fork();
    const session = await em.findOne(WhatsappSession, { id: sessionId }, { filters: { tenant: false } });
    if (!session) return false;
    if (!session.deletedAt) {
      throw new DomainError('FAILED_PRECONDITION', 'The session was not deleted by its tenant; it is kept', {
        details: { status: session.status },
      });
    }
    await em.remove(session).flush();
    await this.events.updated(session);
    return true;
  }

  async findAnyTenant(sessionId: string): Promise<WhatsappSession> {
    const session = await this.em
      .fork()
      .findOne(WhatsappSession, { id: sessionId }, { filters: { tenant: false } });
    if (!session) throw DomainError.notFound('WhatsApp session', sessionId);
    return session;
  }

  private targetOf(session: WhatsappSession) {
    return { tenantId: session.tenant.id, sessionId: session.id };
  }

  private async mutate(sessionId: string, actor: Actor, change: Change): Promise<WhatsappSession> {
    const { session, result } = await this.em
      .fork()
      .transactional((em) => this.mutateIn(em, sessionId, actor, change));
    if (result) await this.afterCommit(session, result);
    return session;
  }

  /**
   * A QR or pairing-code report: written against the row version read, without a transaction
   * (LinkCodeWrites), so the dashboards hear of it two round trips after n8n's report; under the
   * row's lock (`mutate`) when it changes the status or another writer came between.
   */
  private async mutateLink(sessionId: string, actor: Actor, change: LinkChange): Promise<WhatsappSession> {
    const written = await this.linkWrites.apply(sessionId, actor, change);
    if (!written) {
      return this.mutate(sessionId, actor, (session) => {
        change(session);
        return {};
      });
    }
    if (written.changed) await this.events.updated(written.session);
    return written.session;
  }

  private async mutateIn(
    em: EntityManager,
    sessionId: string,
    actor: Actor,
    change: Change,
    /** Judged under the row lock, before the change: false leaves the row as it is (no result). */
    stillApplies?: () => Promise<boolean>,
  ): Promise<{ session: WhatsappSession; result: ChangeResult | null }> {
    const session = await em.findOne(
      WhatsappSession,
      { id: sessionId },
      { filters: { tenant: false }, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!session) throw DomainError.notFound('WhatsApp session', sessionId);
    if (stillApplies && !(await stillApplies())) return { session, result: null };
    // Whatever the change wrote is flushed with the transaction (bookkeeping included); only a
    // change to what the API shows is attributed to the actor and published.
    const before = shownOf(session);
    const statusBefore = session.status;
    const effects = change(session, em);
    const result = { ...effects, changed: shownChanged(before, shownOf(session)) };
    if (result.changed) session.updatedBy = actor;
    if (session.status !== statusBefore) await writeStatusDeliveries(em, session, statusBefore);
    return { session, result };
  }

  private async afterCommit(session: WhatsappSession, result: ChangeResult): Promise<void> {
    if (result.commands) this.outbox.notifyCommitted();
    if (result.changed) await this.events.updated(session);
  }
}

/** The tenant's `session.status_changed` webhook deliveries, in the change's transaction. */
async function writeStatusDeliveries(
  em: EntityManager,
  session: WhatsappSession,
  previous: SessionStatus,
): Promise<void> {
  await sqlOf(em).execute(
    deliveriesInsertSql(
      WebhookEventType.SESSION_STATUS_CHANGED,
      `select ?::uuid as tenant_id, ?::varchar as session_id, ?::text as status, ?::text as previous`,
      `jsonb_build_object('sessionId', ev.session_id, 'status', ev.status, 'previousStatus', ev.previous,
        'timestamp', ${isoSql('now()')})`,
    ),
    [session.tenant.id, session.id, session.status, previous],
  );
}
