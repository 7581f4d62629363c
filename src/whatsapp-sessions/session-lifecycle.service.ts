import { EntityManager, LockMode } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { DomainError } from '../common/domain-error.js';
import { validStoredInstant } from '../common/input-checks.js';
import { storableText } from '../common/storable.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { CommandType } from '../outbox/commands.js';
import { OutboxCommand } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import {
  type EventOwner,
  newerEventRecorded,
  type ReceivedEvent,
  recordWebhookEvent,
} from '../inbox/webhook-events.js';
import { SessionEvents } from './session-events.js';
import { QR_SERIES_LENGTH, WahaClock } from '../waha/waha-clock.js';
import { failedReason } from './waha-failure.js';
import { AuthMethod, SessionStatus, WhatsappSession } from './whatsapp-session.entity.js';
import { toWhatsappSessionModel } from './whatsapp-session.mapper.js';
import { validLinkedAccount, validQrValue } from './whatsapp-session.validation.js';

/** WAHA's own session statuses: what n8n and WAHA's webhooks may report. */
export const WahaSessionStatus = {
  STOPPED: SessionStatus.STOPPED,
  STARTING: SessionStatus.STARTING,
  SCAN_QR_CODE: SessionStatus.SCAN_QR_CODE,
  WORKING: SessionStatus.WORKING,
  FAILED: SessionStatus.FAILED,
} as const;
export type WahaSessionStatus = (typeof WahaSessionStatus)[keyof typeof WahaSessionStatus];

/** The statuses in which WAHA waits for the phone to link (or is about to). */
const AWAITING_LINK = new Set<SessionStatus>([
  SessionStatus.CREATING,
  SessionStatus.STARTING,
  SessionStatus.SCAN_QR_CODE,
]);

/**
 * Whether a QR or pairing code still means anything. A report that arrives after the phone
 * linked (n8n fetched the QR just before the scan) or after WAHA failed or stopped the
 * session must not take it back to SCAN_QR_CODE.
 */
function awaitsLink(session: WhatsappSession): boolean {
  return AWAITING_LINK.has(session.status);
}

/**
 * Whether WAHA booted the session anew (a restart, a refreshed window, a reconnect): it reports
 * STARTING, or a QR window after a status that was not waiting for the phone (its STARTING was
 * not seen).
 */
function startsAttempt(was: SessionStatus, status: WahaSessionStatus): boolean {
  return (
    status === SessionStatus.STARTING || (status === SessionStatus.SCAN_QR_CODE && !AWAITING_LINK.has(was))
  );
}

export const N8N_ACTOR: Actor = 'system:n8n';
export const WAHA_WEBHOOK_ACTOR: Actor = 'system:waha-webhook';

export interface LinkedAccount {
  id: string;
  pushName?: string | null;
}

/** What comes with a status, besides the status itself. */
export interface StatusReport {
  me?: LinkedAccount | null;
  /** WAHA's own session.status webhook: each SCAN_QR_CODE event is a new QR to fetch. */
  fetchQrOnScan?: boolean;
  /** When WAHA reported it, on WAHA's clock (the webhook's timestamp): QR expiries are anchored on it. */
  occurredAt?: Date | null;
  /** WAHA's `payload.data` for the status: for FAILED, possibly why. */
  statusData?: unknown;
  /** The n8n command this report answers (reportSessionStatus's `commandId`). */
  commandId?: string | null;
}

/**
 * What the API shows of a session's row (its model, the one home of that), to tell whether a
 * report changed anything worth a live update. Not the row's columns: some are the service's own
 * bookkeeping, such as where WAHA's QR series stands for a pairing-code session (its QRs are
 * never shown), and a change to them alone is no news. Not the audit stamps either: they move
 * with every write and say nothing by themselves.
 */
function fingerprint(session: WhatsappSession): string {
  const { updatedAt: _updatedAt, updatedBy: _updatedBy, ...shown } = toWhatsappSessionModel(session);
  return JSON.stringify(shown);
}

/** The QR WAHA shows now as far as the row knows it: its number in the window and its expiry. */
function heldQr(session: WhatsappSession): { sequence: number; expiresAt: number } | null {
  return session.status === SessionStatus.SCAN_QR_CODE && session.qrSequence && session.qrExpiresAt
    ? { sequence: session.qrSequence, expiresAt: session.qrExpiresAt.getTime() }
    : null;
}

/** WAHA shows QRs (and pairs by code) only while no account is linked: one shown means none is. */
function forgetAccount(session: WhatsappSession): void {
  session.meId = null;
  session.mePushName = null;
}

/** What a change did besides the row: the row's own change is judged by its fingerprint. */
interface ChangeEffects {
  /** The change wrote outbox commands: wake the dispatcher after commit. */
  commands?: boolean;
}

interface ChangeResult extends ChangeEffects {
  /** What the API shows of the session changed: publish it. */
  changed: boolean;
}

/**
 * Applies what WAHA says about a session — through n8n's write-backs or WAHA's webhooks —
 * to its row. Callers have no tenant (they are n8n or WAHA), so the session is looked up
 * by id across tenants on purpose, and its tenant is then the row's own. Every method is
 * idempotent: reporting the same thing twice changes nothing and publishes nothing the
 * second time. Concurrent reports for one session are serialized by a row lock.
 */
@Injectable()
export class SessionLifecycleService {
  private readonly clock: WahaClock;

  constructor(
    private readonly em: EntityManager,
    private readonly events: SessionEvents,
    private readonly outbox: OutboxService,
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
    // n8n's report (reportSessionStatus); WAHA's webhook judges its own account (applyStatusIn).
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
    report: Pick<StatusReport, 'me' | 'statusData'>,
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

  private statusChange(
    status: WahaSessionStatus,
    options: StatusReport,
    loggedOut: boolean,
  ): (session: WhatsappSession, em: EntityManager) => ChangeEffects {
    return (session, em) => {
      if (session.deletedAt) return {};
      const was = session.status;
      let commands = false;
      if (was !== status) {
        if (status !== SessionStatus.SCAN_QR_CODE) {
          // A QR or code belongs to one scan window; a new window starts a new series.
          session.qrValue = null;
          session.qrExpiresAt = null;
          session.qrSequence = null;
          session.pairingCode = null;
          session.pairingCodeExpiresAt = null;
        }
        if (status === SessionStatus.WORKING) {
          session.lastError = null;
          session.lastErrorAt = null;
        } else if (startsAttempt(was, status)) {
          this.forgetErrorsBefore(session, options.occurredAt ?? new Date());
        }
        session.status = status;
      }
      if (status === SessionStatus.FAILED) this.noteFailure(session, was, options.statusData);
      if (status === SessionStatus.SCAN_QR_CODE || loggedOut) {
        forgetAccount(session);
      } else if (options.me) {
        session.meId = options.me.id;
        session.mePushName = options.me.pushName ?? null;
      }
      if (status === SessionStatus.SCAN_QR_CODE && options.occurredAt) {
        this.anchorQr(session, was, options.occurredAt.getTime());
      }
      // Each SCAN_QR_CODE event from WAHA means a new QR to fetch (WAHA rotates it).
      if (
        options.fetchQrOnScan &&
        status === SessionStatus.SCAN_QR_CODE &&
        session.authMethod === AuthMethod.QR
      ) {
        this.outbox.enqueue(em, CommandType.SESSION_FETCH_QR, this.targetOf(session), {});
        commands = true;
      }
      return { commands };
    };
  }

  /**
   * A new attempt (see startsAttempt) makes the errors before it history: a new QR or code must
   * not show next to the reason the last window failed. Where exactly:
   * - Not when the dashboard asks for the restart (refreshWhatsappSessionQr, restartWhatsappSession):
   *   until WAHA boots the session it is still FAILED, and FAILED always says why; and if WAHA
   *   refuses the restart, nothing new started at all.
   * - When WAHA reports the boot, and only for errors noted before the boot happened, as of WAHA's
   *   stamp on the event (a webhook's timestamp; an n8n report has none and counts from now). WAHA
   *   delivers late and unordered and n8n reports on its own path, so the STARTING of a refresh
   *   may land after an error of that very refresh (WAHA refusing the code request or the QR
   *   fetch): that error is newer than the boot and still shows. A tie keeps the error. The
   *   comparison trusts WAHA's clock to agree with this one, as QR expiries already do.
   */
  private forgetErrorsBefore(session: WhatsappSession, startedAt: Date): void {
    if (!session.lastError) return;
    if (session.lastErrorAt && session.lastErrorAt.getTime() >= startedAt.getTime()) return;
    session.lastError = null;
    session.lastErrorAt = null;
  }

  /** FAILED always says why (the dashboard shows it); a repeated FAILED keeps its reason unless WAHA now gives one. */
  private noteFailure(session: WhatsappSession, was: SessionStatus, data: unknown): void {
    const { message, fromWaha } = failedReason(was, data, {
      authMethod: session.authMethod,
      clock: this.clock,
    });
    if (was === SessionStatus.FAILED && session.lastError && !fromWaha) return;
    if (session.lastError === message) return;
    session.lastError = message;
    session.lastErrorAt = new Date();
  }

  /**
   * A SCAN_QR_CODE event of WAHA, stamped `at` on WAHA's clock, says when WAHA issued a QR: the
   * first of a window, or the next one. Expiries are computed from these stamps, so they are the
   * moments WAHA rotates its QRs, not when n8n happened to report them. An event for the QR
   * already held (its value reported first) is told from the next by its time: the next one
   * comes a whole QR lifetime after it.
   */
  private anchorQr(session: WhatsappSession, was: SessionStatus, at: number): void {
    const held = was === SessionStatus.SCAN_QR_CODE ? heldQr(session) : null;
    if (!held) {
      session.qrSequence = 1;
      session.qrExpiresAt = new Date(at + this.clock.qrLifetimeMs(1));
    } else {
      const lifetime = this.clock.qrLifetimeMs(held.sequence);
      if (at < held.expiresAt - lifetime / 2) {
        session.qrExpiresAt = new Date(at + lifetime);
      } else if (session.qrValue) {
        // WAHA replaced the QR shown (`at` is the next one's issue, or a later one's if an event
        // is still on its way); the new value comes with n8n's fetch and its expiry from this one.
        const next = this.clock.rotationMs();
        const rotations = Math.max(1, 1 + Math.round((at - held.expiresAt) / next));
        session.qrExpiresAt = new Date(at - (rotations - 1) * next);
      } else {
        // Nothing shown (a pairing-code session, or a fetch under way): follow WAHA's series.
        const next = Math.min(held.sequence + 1, QR_SERIES_LENGTH);
        session.qrSequence = next;
        session.qrExpiresAt = new Date(at + this.clock.qrLifetimeMs(next));
      }
    }
    if (session.pairingCode && session.qrSequence && session.qrExpiresAt) {
      session.pairingCodeExpiresAt = this.clock.windowEndsAt(session.qrSequence, session.qrExpiresAt);
    }
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
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt || session.qrValue === qr.value || !awaitsLink(session)) return {};
      // Numbered before a QR WAHA's events have already moved past: fetched before a rotation,
      // reported after it (n8n's create workflow numbers its first QR 1).
      const held = heldQr(session);
      if (qr.sequence && held && qr.sequence < held.sequence) return {};
      const { sequence, expiresAt } = this.nextQr(session, qr.sequence ?? null, Date.now());
      session.qrValue = qr.value;
      session.qrSequence = sequence;
      session.qrExpiresAt = qr.expiresAt ?? new Date(expiresAt);
      session.status = SessionStatus.SCAN_QR_CODE;
      forgetAccount(session);
      return {};
    });
  }

  /** The number and expiry of a QR value reported `now` that differs from the one held. */
  private nextQr(
    session: WhatsappSession,
    reported: number | null,
    now: number,
  ): { sequence: number; expiresAt: number } {
    const held = heldQr(session);
    // The first QR of a window (or n8n's own count, when the row knows nothing of the window).
    if (!held) {
      const sequence = Math.min(reported ?? 1, QR_SERIES_LENGTH);
      return { sequence, expiresAt: now + this.clock.qrLifetimeMs(sequence) };
    }
    // WAHA's event announced this QR, with its number and expiry: here is its value.
    if (!session.qrValue) return held;
    // WAHA replaced the QR held when it expired, and each next one a lifetime later.
    if (held.expiresAt <= now) {
      const lifetime = this.clock.rotationMs();
      const passed = 1 + Math.floor((now - held.expiresAt) / lifetime);
      const sequence = Math.min(held.sequence + passed, QR_SERIES_LENGTH);
      return { sequence, expiresAt: held.expiresAt + (sequence - held.sequence) * lifetime };
    }
    // Replaced before the held one expired as far as the row knows: WAHA issued it by now.
    const sequence = Math.min(held.sequence + 1, QR_SERIES_LENGTH);
    return { sequence, expiresAt: now + this.clock.qrLifetimeMs(sequence) };
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
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt || session.pairingCode === code || !awaitsLink(session)) return {};
      const held = heldQr(session);
      session.pairingCode = code;
      // The code is good for at most the rest of WAHA's QR window, on WAHA's clock.
      session.pairingCodeExpiresAt =
        pairing.expiresAt ??
        (held
          ? this.clock.windowEndsAt(held.sequence, new Date(held.expiresAt))
          : this.clock.windowFrom(Date.now()));
      session.status = SessionStatus.SCAN_QR_CODE;
      forgetAccount(session);
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
      if (failure.status) session.status = failure.status;
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

  private async mutate(
    sessionId: string,
    actor: Actor,
    change: (session: WhatsappSession, em: EntityManager) => ChangeEffects,
  ): Promise<WhatsappSession> {
    const { session, result } = await this.em
      .fork()
      .transactional((em) => this.mutateIn(em, sessionId, actor, change));
    if (result) await this.afterCommit(session, result);
    return session;
  }

  private async mutateIn(
    em: EntityManager,
    sessionId: string,
    actor: Actor,
    change: (session: WhatsappSession, em: EntityManager) => ChangeEffects,
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
    const before = fingerprint(session);
    const effects = change(session, em);
    const result = { ...effects, changed: fingerprint(session) !== before };
    if (result.changed) session.updatedBy = actor;
    return { session, result };
  }

  private async afterCommit(session: WhatsappSession, result: ChangeResult): Promise<void> {
    if (result.commands) this.outbox.notifyCommitted();
    if (result.changed) await this.events.updated(session);
  }
}
