import { EntityManager, LockMode } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { DomainError } from '../common/domain-error.js';
import { CommandType } from '../n8n/commands.js';
import { OutboxService } from '../n8n/outbox.service.js';
import { SessionEvents } from './session-events.js';
import { AuthMethod, SessionStatus, WhatsappSession } from './whatsapp-session.entity.js';

/** WAHA's own session statuses: what n8n and WAHA's webhooks may report. */
export const WahaSessionStatus = {
  STOPPED: SessionStatus.STOPPED,
  STARTING: SessionStatus.STARTING,
  SCAN_QR_CODE: SessionStatus.SCAN_QR_CODE,
  WORKING: SessionStatus.WORKING,
  FAILED: SessionStatus.FAILED,
} as const;
export type WahaSessionStatus = (typeof WahaSessionStatus)[keyof typeof WahaSessionStatus];

/** WAHA's QR clock: the first QR lives 60 s, each next one 20 s, six in all (about 160 s). */
export const QR_FIRST_TTL_MS = 60_000;
export const QR_NEXT_TTL_MS = 20_000;
export const QR_SERIES_LENGTH = 6;
export const QR_WINDOW_MS = QR_FIRST_TTL_MS + (QR_SERIES_LENGTH - 1) * QR_NEXT_TTL_MS;

/**
 * Whether a QR or pairing code still means anything. A report that arrives after the phone
 * linked (n8n fetched the QR just before the scan) or after WAHA failed or stopped the
 * session must not take it back to SCAN_QR_CODE.
 */
function awaitsLink(session: WhatsappSession): boolean {
  return (
    session.status === SessionStatus.CREATING ||
    session.status === SessionStatus.STARTING ||
    session.status === SessionStatus.SCAN_QR_CODE
  );
}

export const N8N_ACTOR: Actor = 'system:n8n';
export const WAHA_WEBHOOK_ACTOR: Actor = 'system:waha-webhook';

export interface LinkedAccount {
  id: string;
  pushName?: string | null;
}

interface ChangeResult {
  changed: boolean;
  /** The change wrote outbox commands: wake the dispatcher after commit. */
  commands?: boolean;
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
  constructor(
    private readonly em: EntityManager,
    private readonly events: SessionEvents,
    private readonly outbox: OutboxService,
  ) {}

  async applyStatus(
    sessionId: string,
    status: WahaSessionStatus,
    actor: Actor,
    options: { me?: LinkedAccount | null; fetchQrOnScan?: boolean } = {},
  ): Promise<WhatsappSession> {
    return this.mutate(sessionId, actor, this.statusChange(status, options));
  }

  /**
   * applyStatus inside the caller's transaction (`em` is transactional), so the change commits
   * or rolls back together with the caller's own writes (the webhook's dedupe row). The caller
   * must run `afterCommit` once its transaction has committed: it wakes the outbox dispatcher
   * and publishes the change.
   */
  async applyStatusIn(
    em: EntityManager,
    sessionId: string,
    status: WahaSessionStatus,
    actor: Actor,
    options: { me?: LinkedAccount | null; fetchQrOnScan?: boolean } = {},
  ): Promise<{ session: WhatsappSession; changed: boolean; afterCommit: () => Promise<void> }> {
    const { session, result } = await this.mutateIn(em, sessionId, actor, this.statusChange(status, options));
    return {
      session,
      changed: result.changed || result.commands === true,
      afterCommit: () => this.afterCommit(session, result),
    };
  }

  private statusChange(
    status: WahaSessionStatus,
    options: { me?: LinkedAccount | null; fetchQrOnScan?: boolean },
  ): (session: WhatsappSession, em: EntityManager) => ChangeResult {
    return (session, em) => {
      if (session.deletedAt) return { changed: false };
      let changed = false;
      let commands = false;
      if (session.status !== status) {
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
        }
        session.status = status;
        changed = true;
      }
      if (
        options.me &&
        (options.me.id !== session.meId || (options.me.pushName ?? null) !== session.mePushName)
      ) {
        session.meId = options.me.id;
        session.mePushName = options.me.pushName ?? null;
        changed = true;
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
      return { changed, commands };
    };
  }

  async applyQr(
    sessionId: string,
    qr: { value: string; sequence?: number | null; expiresAt?: Date | null },
    actor: Actor,
  ): Promise<WhatsappSession> {
    if (!qr.value) throw DomainError.badInput('input.value', 'A QR value is required');
    if (
      qr.sequence !== undefined &&
      qr.sequence !== null &&
      (qr.sequence < 1 || qr.sequence > QR_SERIES_LENGTH)
    ) {
      throw DomainError.badInput('input.sequence', `A QR sequence is from 1 to ${QR_SERIES_LENGTH}`);
    }
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt || session.qrValue === qr.value || !awaitsLink(session))
        return { changed: false };
      const sequence =
        qr.sequence ??
        (session.status === SessionStatus.SCAN_QR_CODE && session.qrSequence ? session.qrSequence + 1 : 1);
      session.qrValue = qr.value;
      session.qrSequence = Math.min(sequence, QR_SERIES_LENGTH);
      session.qrExpiresAt =
        qr.expiresAt ?? new Date(Date.now() + (sequence === 1 ? QR_FIRST_TTL_MS : QR_NEXT_TTL_MS));
      session.status = SessionStatus.SCAN_QR_CODE;
      return { changed: true };
    });
  }

  async applyPairingCode(
    sessionId: string,
    pairing: { code: string; expiresAt?: Date | null },
    actor: Actor,
  ): Promise<WhatsappSession> {
    if (!/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/.test(pairing.code)) {
      throw DomainError.badInput('input.code', 'A pairing code looks like ABCD-EFGH');
    }
    const code = pairing.code.includes('-')
      ? pairing.code
      : `${pairing.code.slice(0, 4)}-${pairing.code.slice(4)}`;
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt || session.pairingCode === code || !awaitsLink(session))
        return { changed: false };
      session.pairingCode = code;
      // The code is good for at most the rest of WAHA's QR window.
      session.pairingCodeExpiresAt = pairing.expiresAt ?? new Date(Date.now() + QR_WINDOW_MS);
      session.status = SessionStatus.SCAN_QR_CODE;
      return { changed: true };
    });
  }

  async applyLinkedAccount(sessionId: string, me: LinkedAccount, actor: Actor): Promise<WhatsappSession> {
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt || (session.meId === me.id && session.mePushName === (me.pushName ?? null))) {
        return { changed: false };
      }
      session.meId = me.id;
      session.mePushName = me.pushName ?? null;
      return { changed: true };
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
    const message = `${failure.reason}${upstream}`.slice(0, 2000);
    return this.mutate(sessionId, actor, (session) => {
      if (session.deletedAt) return { changed: false };
      let changed = false;
      if (session.lastError !== message) {
        session.lastError = message;
        session.lastErrorAt = new Date();
        changed = true;
      }
      if (failure.status && failure.status !== session.status) {
        session.status = failure.status;
        changed = true;
      }
      return { changed };
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
    change: (session: WhatsappSession, em: EntityManager) => ChangeResult,
  ): Promise<WhatsappSession> {
    const { session, result } = await this.em
      .fork()
      .transactional((em) => this.mutateIn(em, sessionId, actor, change));
    await this.afterCommit(session, result);
    return session;
  }

  private async mutateIn(
    em: EntityManager,
    sessionId: string,
    actor: Actor,
    change: (session: WhatsappSession, em: EntityManager) => ChangeResult,
  ): Promise<{ session: WhatsappSession; result: ChangeResult }> {
    const session = await em.findOne(
      WhatsappSession,
      { id: sessionId },
      { filters: { tenant: false }, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!session) throw DomainError.notFound('WhatsApp session', sessionId);
    const result = change(session, em);
    if (result.changed) session.updatedBy = actor;
    return { session, result };
  }

  private async afterCommit(session: WhatsappSession, result: ChangeResult): Promise<void> {
    if (result.commands) this.outbox.notifyCommitted();
    if (result.changed) await this.events.updated(session);
  }
}
