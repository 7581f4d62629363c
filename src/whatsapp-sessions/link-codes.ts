import { QR_SERIES_LENGTH, type WahaClock } from '../waha/waha-clock.js';
import { SessionStatus, type WhatsappSession } from './whatsapp-session.entity.js';

/**
 * The QR or pairing code a session shows while WAHA waits for the phone to link, on WAHA's
 * clock: pure rules over the row's columns (no database), applied by SessionLifecycleService
 * under the row's lock.
 */
export type LinkState = Pick<
  WhatsappSession,
  | 'status'
  | 'authMethod'
  | 'meId'
  | 'mePushName'
  | 'qrValue'
  | 'qrExpiresAt'
  | 'qrSequence'
  | 'pairingCode'
  | 'pairingCodeExpiresAt'
  | 'deletedAt'
>;

/** The statuses in which WAHA waits for the phone to link (or is about to). */
export const AWAITING_LINK: ReadonlySet<SessionStatus> = new Set<SessionStatus>([
  SessionStatus.CREATING,
  SessionStatus.STARTING,
  SessionStatus.SCAN_QR_CODE,
]);

/**
 * Whether a QR or pairing code still means anything. A report that arrives after the phone
 * linked (n8n fetched the QR just before the scan) or after WAHA failed or stopped the
 * session must not take it back to SCAN_QR_CODE.
 */
export function awaitsLink(session: Pick<LinkState, 'status'>): boolean {
  return AWAITING_LINK.has(session.status);
}

/** WAHA shows QRs (and pairs by code) only while no account is linked: one shown means none is. */
export function forgetAccount(session: Pick<LinkState, 'meId' | 'mePushName'>): void {
  session.meId = null;
  session.mePushName = null;
}

/** The QR shown now, if any, is still good at `now`. */
export function qrValid(session: LinkState, now: number): boolean {
  return (
    session.status === SessionStatus.SCAN_QR_CODE &&
    !!session.qrValue &&
    !!session.qrExpiresAt &&
    session.qrExpiresAt.getTime() > now
  );
}

/** The pairing code shown now, if any, is still good at `now`. */
export function codeValid(session: LinkState, now: number): boolean {
  return (
    session.status === SessionStatus.SCAN_QR_CODE &&
    !!session.pairingCode &&
    !!session.pairingCodeExpiresAt &&
    session.pairingCodeExpiresAt.getTime() > now
  );
}

/** The QR WAHA shows now as far as the row knows it: its number in the window and its expiry. */
export function heldQr(session: LinkState): { sequence: number; expiresAt: number } | null {
  return session.status === SessionStatus.SCAN_QR_CODE && session.qrSequence && session.qrExpiresAt
    ? { sequence: session.qrSequence, expiresAt: session.qrExpiresAt.getTime() }
    : null;
}

/**
 * A SCAN_QR_CODE event of WAHA, stamped `at` on WAHA's clock, says when WAHA issued a QR: the
 * first of a window, or the next one. Expiries are computed from these stamps, so they are the
 * moments WAHA rotates its QRs, not when n8n happened to report them. An event for the QR
 * already held (its value reported first) is told from the next by its time: the next one
 * comes a whole QR lifetime after it. `was`: the status before the event.
 */
export function anchorQr(session: LinkState, was: SessionStatus, at: number, clock: WahaClock): void {
  const held = was === SessionStatus.SCAN_QR_CODE ? heldQr(session) : null;
  if (!held) {
    session.qrSequence = 1;
    session.qrExpiresAt = new Date(at + clock.qrLifetimeMs(1));
  } else {
    const lifetime = clock.qrLifetimeMs(held.sequence);
    if (at < held.expiresAt - lifetime / 2) {
      session.qrExpiresAt = new Date(at + lifetime);
    } else if (session.qrValue) {
      // WAHA replaced the QR shown (`at` is the next one's issue, or a later one's if an event
      // is still on its way); the new value comes with n8n's fetch and its expiry from this one.
      const next = clock.rotationMs();
      const rotations = Math.max(1, 1 + Math.round((at - held.expiresAt) / next));
      session.qrExpiresAt = new Date(at - (rotations - 1) * next);
    } else {
      // Nothing shown (a pairing-code session, or a fetch under way): follow WAHA's series.
      const next = Math.min(held.sequence + 1, QR_SERIES_LENGTH);
      session.qrSequence = next;
      session.qrExpiresAt = new Date(at + clock.qrLifetimeMs(next));
    }
  }
  if (session.pairingCode && session.qrSequence && session.qrExpiresAt) {
    session.pairingCodeExpiresAt = clock.windowEndsAt(session.qrSequence, session.qrExpiresAt);
  }
}

/** The number and expiry of a QR value reported `now` that differs from the one held. */
export function nextQr(
  session: LinkState,
  reported: number | null,
  now: number,
  clock: WahaClock,
): { sequence: number; expiresAt: number } {
  const held = heldQr(session);
  // The first QR of a window (or n8n's own count, when the row knows nothing of the window).
  if (!held) {
    const sequence = Math.min(reported ?? 1, QR_SERIES_LENGTH);
    return { sequence, expiresAt: now + clock.qrLifetimeMs(sequence) };
  }
  // WAHA's event announced this QR, with its number and expiry: here is its value.
  if (!session.qrValue) return held;
  // WAHA replaced the QR held when it expired, and each next one a lifetime later.
  if (held.expiresAt <= now) {
    const lifetime = clock.rotationMs();
    const passed = 1 + Math.floor((now - held.expiresAt) / lifetime);
    const sequence = Math.min(held.sequence + passed, QR_SERIES_LENGTH);
    return { sequence, expiresAt: held.expiresAt + (sequence - held.sequence) * lifetime };
  }
  // Replaced before the held one expired as far as the row knows: WAHA issued it by now.
  const sequence = Math.min(held.sequence + 1, QR_SERIES_LENGTH);
  return { sequence, expiresAt: now + clock.qrLifetimeMs(sequence) };
}

/** n8n's report of a QR value it fetched from WAHA, applied to the row at `now`. */
export function takeReportedQr(
  session: LinkState,
  qr: { value: string; sequence?: number | null; expiresAt?: Date | null },
  now: number,
  clock: WahaClock,
): void {
  if (session.deletedAt || session.qrValue === qr.value || !awaitsLink(session)) return;
  // Numbered before a QR WAHA's events have already moved past: fetched before a rotation,
  // reported after it (a reporter that numbers its QRs; the shipped workflows leave it to WAHA's clock).
  const held = heldQr(session);
  if (qr.sequence && held && qr.sequence < held.sequence) return;
  const { sequence, expiresAt } = nextQr(session, qr.sequence ?? null, now, clock);
  session.qrValue = qr.value;
  session.qrSequence = sequence;
  session.qrExpiresAt = qr.expiresAt ?? new Date(expiresAt);
  session.status = SessionStatus.SCAN_QR_CODE;
  forgetAccount(session);
}

/** n8n's report of a pairing code WAHA gave (`code` formatted ABCD-EFGH), applied at `now`. */
export function takeReportedPairingCode(
  session: LinkState,
  pairing: { code: string; expiresAt?: Date | null },
  now: number,
  clock: WahaClock,
): void {
  if (session.deletedAt || session.pairingCode === pairing.code || !awaitsLink(session)) return;
  const held = heldQr(session);
  session.pairingCode = pairing.code;
  // The code is good for at most the rest of WAHA's QR window, on WAHA's clock.
  session.pairingCodeExpiresAt =
    pairing.expiresAt ??
    (held ? clock.windowEndsAt(held.sequence, new Date(held.expiresAt)) : clock.windowFrom(now));
  session.status = SessionStatus.SCAN_QR_CODE;
  forgetAccount(session);
}
