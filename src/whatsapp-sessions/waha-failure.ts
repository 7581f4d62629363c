import { SessionStatus } from './whatsapp-session.entity.js';

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

/**
 * The reason a dashboard shows for FAILED: WAHA's own when it gives one, else what the status
 * it failed from means. WAHA fails a session that is showing QRs when its QR window ends
 * without a scan, and says nothing more.
 */
export function failedReason(previous: SessionStatus, data: unknown): { message: string; fromWaha: boolean } {
  const told = toldByWaha(data);
  if (told) return { message: `WAHA reported the session FAILED: ${told}`, fromWaha: true };
  if (previous === SessionStatus.SCAN_QR_CODE) {
    return {
      message:
        'WAHA reported the session FAILED while waiting for the phone to link: most likely its QR window ended ' +
        'without a scan (6 QR codes, about 160 s). Refresh the QR or restart the session for a new window.',
      fromWaha: false,
    };
  }
  return {
    message: 'WAHA reported the session FAILED, without a reason. Restart the session to try again.',
    fromWaha: false,
  };
}
