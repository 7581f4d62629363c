import { type WahaClock } from '../waha/waha-clock.js';
import { type WahaFollowedSessionStatus, WahaSessionStatus } from '../waha/waha.types.js';
import { anchorQr, AWAITING_LINK, forgetAccount, type LinkState } from './link-codes.js';
import {
  applyLimits,
  forgetLimits,
  type LimitsReport,
  type LimitsState,
  passkeyCodeOf,
} from './session-limits.js';
import { failedReason } from './waha-failure.js';
import { AuthMethod, SessionStatus, type WhatsappSession } from './whatsapp-session.entity.js';

/** WAHA's statuses this service follows (WahaSessionStatus's values), as its own. */
export type ReportedStatus = (typeof SessionStatus)[WahaFollowedSessionStatus];

/** WAHA's status as the session's own, or null for one this service does not follow (none today; a future one of WAHA's). */
export function sessionStatusOf(status: WahaSessionStatus): ReportedStatus | null {
  return Object.hasOwn(WahaSessionStatus, status) ? SessionStatus[status as WahaFollowedSessionStatus] : null;
}

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
  /** WAHA's `payload.data` for the status: for FAILED, possibly why; for PASSKEY_CONFIRMATION_REQUIRED, the code. */
  statusData?: unknown;
  /** The account's message capping and reach-out timelock, as far as the report says (session-limits.ts). */
  limits?: LimitsReport | null;
  /** The n8n command this report answers (reportSessionStatus's `commandId`). */
  commandId?: string | null;
}

export type StatusState = LinkState &
  LimitsState &
  Pick<WhatsappSession, 'lastError' | 'lastErrorAt' | 'linkedAt' | 'workingSince' | 'passkeyCode'>;

/** What applying a status needs besides the row and the report. */
export interface StatusContext {
  /** The report answers the session's logout command (see SessionLifecycleService.answersLogout). */
  loggedOut: boolean;
  clock: WahaClock;
  /** This service's clock, for errors it notes. */
  now: Date;
}

/**
 * Whether WAHA booted the session anew (a restart, a refreshed window, a reconnect): it reports
 * STARTING, or a QR window after a status that was not waiting for the phone (its STARTING was
 * not seen).
 */
export function startsAttempt(was: SessionStatus, status: ReportedStatus): boolean {
  return (
    status === SessionStatus.STARTING || (status === SessionStatus.SCAN_QR_CODE && !AWAITING_LINK.has(was))
  );
}

/**
 * A status WAHA reported (through n8n or its own webhook), applied to the row. Returns whether
 * WAHA now shows a new QR that n8n must fetch (the caller queues `session.fetchQr`).
 */
export function applyReportedStatus(
  session: StatusState,
  status: ReportedStatus,
  report: StatusReport,
  { loggedOut, clock, now }: StatusContext,
): { fetchQr: boolean } {
  if (session.deletedAt) return { fetchQr: false };
  const was = session.status;
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
      // On WAHA's clock where the report has it, as QR expiries are.
      session.workingSince = report.occurredAt ?? now;
      session.linkedAt ??= session.workingSince;
    } else if (startsAttempt(was, status)) {
      forgetErrorsBefore(session, report.occurredAt ?? now);
    }
    if (status !== SessionStatus.WORKING) session.workingSince = null;
    // The code to compare belongs to its one confirmation step.
    if (status !== SessionStatus.PASSKEY_CONFIRMATION_REQUIRED) session.passkeyCode = null;
    session.status = status;
  }
  if (status === SessionStatus.PASSKEY_CONFIRMATION_REQUIRED) {
    // A repeated status without a code keeps the one shown.
    session.passkeyCode = passkeyCodeOf(report.statusData) ?? session.passkeyCode ?? null;
  }
  if (status === SessionStatus.FAILED) noteFailure(session, was, report.statusData, clock, now);
  if (status === SessionStatus.SCAN_QR_CODE || loggedOut) {
    forgetAccount(session);
    // The next WORKING is a new link, whichever number it is, with that account's own limits.
    session.linkedAt = null;
    forgetLimits(session);
  } else {
    if (report.me) {
      session.meId = report.me.id;
      session.mePushName = report.me.pushName ?? null;
    }
    if (report.limits) applyLimits(session, report.limits);
  }
  if (status === SessionStatus.SCAN_QR_CODE && report.occurredAt) {
    anchorQr(session, was, report.occurredAt.getTime(), clock);
  }
  // Each SCAN_QR_CODE event from WAHA means a new QR to fetch (WAHA rotates it).
  const fetchQr =
    !!report.fetchQrOnScan && status === SessionStatus.SCAN_QR_CODE && session.authMethod === AuthMethod.QR;
  return { fetchQr };
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
function forgetErrorsBefore(session: StatusState, startedAt: Date): void {
  if (!session.lastError) return;
  if (session.lastErrorAt && session.lastErrorAt.getTime() >= startedAt.getTime()) return;
  session.lastError = null;
  session.lastErrorAt = null;
}

/** FAILED always says why (the dashboard shows it); a repeated FAILED keeps its reason unless WAHA now gives one. */
function noteFailure(
  session: StatusState,
  was: SessionStatus,
  data: unknown,
  clock: WahaClock,
  now: Date,
): void {
  const { message, fromWaha } = failedReason(was, data, { authMethod: session.authMethod, clock });
  if (was === SessionStatus.FAILED && session.lastError && !fromWaha) return;
  if (session.lastError === message) return;
  session.lastError = message;
  session.lastErrorAt = now;
}
