import { QR_SERIES_LENGTH, type WahaClock } from '../waha/waha-clock.js';
import { AuthMethod, SessionStatus } from './whatsapp-session.entity.js';

const REASON_MAX = 500;

/**
 * What WAHA says about a FAILED status, if anything: its session.status payload has `data`,
 * "extra info that belongs to the current status, null for most of them" (WAHA's openapi).
 * A string, or the first text of the usual error fields.
 */
function toldByWaha(data: unknown): string | null {
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, REASON_MAX) : null;
  if (typeof data === 'string') return text(data);
  if (typeof data !== 'object' || data === null) return null;
  const fields = data as Record<string, unknown>;
  const nested = typeof fields['error'] === 'object' && fields['error'] !== null ? fields['error'] : {};
  for (const value of [
    fields['error'],
    fields['message'],
    fields['reason'],
    (nested as Record<string, unknown>)['message'],
  ]) {
    const found = text(value);
    if (found) return found;
  }
  return null;
}

/** A duration as a person reads it: "about 16 s", "about 160 s", "about 27 min". */
function roughly(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `about ${Number(seconds.toFixed(1))} s`;
  if (seconds <= 600) return `about ${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes <= 600) return `about ${Math.round(minutes)} min`;
  return `about ${Math.round(minutes / 60)} h`;
}

/** What the reason needs to know of the session and of the WAHA it runs on. */
export interface FailureContext {
  /** How the session links: a QR session showed QR codes, a PHONE_CODE session a pairing code. */
  authMethod: AuthMethod;
  /** WAHA's clock (WAHA_TIME_SCALE): how long its linking window really is. */
  clock: WahaClock;
}

/**
 * The reason a dashboard shows for FAILED: WAHA's own when it gives one, else what the status
 * it failed from means. WAHA fails a session that is waiting for the phone when its linking
 * window (six QR codes, whether shown or not) ends without a link, and says nothing more. The
 * text must be true for the session: the window as long as the configured WAHA clock makes it,
 * and told in the terms of what the person was given, a QR or a pairing code.
 */
export function failedReason(
  previous: SessionStatus,
  data: unknown,
  { authMethod, clock }: FailureContext,
): { message: string; fromWaha: boolean } {
  const told = toldByWaha(data);
  if (told) return { message: `WAHA reported the session FAILED: ${told}`, fromWaha: true };
  if (previous === SessionStatus.SCAN_QR_CODE) {
    const window = roughly(clock.windowMs());
    const message =
      authMethod === AuthMethod.PHONE_CODE
        ? 'WAHA reported the session FAILED while waiting for the phone to link: most likely its pairing ' +
          `code was not entered in time (a code is good only until WAHA's linking window ends, ${window} ` +
          'after it opened). Request a new pairing code or restart the session for a new window.'
        : 'WAHA reported the session FAILED while waiting for the phone to link: most likely its QR window ' +
          `ended without a scan (${QR_SERIES_LENGTH} QR codes, ${window}). Refresh the QR or restart the ` +
          'session for a new window.';
    return { message, fromWaha: false };
  }
  if (
    previous === SessionStatus.PASSKEY_REQUIRED ||
    previous === SessionStatus.PASSKEY_CONFIRMATION_REQUIRED
  ) {
    return {
      message:
        'WAHA reported the session FAILED while the phone was confirming the link with its passkey: most ' +
        'likely the passkey was not approved, or the code not confirmed, in time. Refresh the QR or restart ' +
        'the session to link again.',
      fromWaha: false,
    };
  }
  return {
    message: 'WAHA reported the session FAILED, without a reason. Restart the session to try again.',
    fromWaha: false,
  };
}
