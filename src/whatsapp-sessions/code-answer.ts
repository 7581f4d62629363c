import { codeValid, type LinkState, qrValid } from './link-codes.js';
import { fromSessionUpdatedPayload, type Jsonified, type SessionUpdatedPayload } from './session-payload.js';
import { SessionStatus } from './whatsapp-session.entity.js';
import { type WhatsappSessionModel } from './whatsapp-session.model.js';

/**
 * What answers a create (and a request for a QR or code): the mutation waits, up to
 * CREATE_QR_WAIT_MS, for the session's first QR or code, or for news that no QR or code will
 * come. Pure rules; SessionLinkingService does the waiting.
 */

/** Nothing to wait for: a valid QR or code is there, or the session is linked. */
export function hasAnswer(session: LinkState, now: number): boolean {
  return session.status === SessionStatus.WORKING || qrValid(session, now) || codeValid(session, now);
}

/** Whether an update of the session answers a wait that started from `before` (as the API showed it). */
export function answers(
  before: Jsonified<WhatsappSessionModel>,
  { deleted, session }: SessionUpdatedPayload,
): boolean {
  if (session.id !== before.id) return false;
  if (deleted || session.status === SessionStatus.WORKING) return true;
  if (session.qr && session.qr.value !== before.qr?.value) return true;
  if (session.pairingCode && session.pairingCode.code !== before.pairingCode?.code) return true;
  // n8n reported a failure (WAHA refused, the session FAILED): the caller should see it now.
  return !!session.lastError && session.lastError.at !== before.lastError?.at;
}

/**
 * The session the wait answers with: the one the answering update carried, as it stood when it
 * was published (no read: the update is the state that answered). None when the wait ran out
 * (or the stream ended): then nothing carried an answer, and the caller reads what is stored,
 * which any update that did not answer (STARTING, say) may have changed.
 */
export function answerOf(update: SessionUpdatedPayload | undefined): WhatsappSessionModel | null {
  return update ? fromSessionUpdatedPayload(update) : null;
}
