import { DomainError, ErrorCode } from '../common/domain-error.js';
import { type CommandPayloads, CommandType } from '../outbox/commands.js';
import { QR_SERIES_LENGTH } from '../waha/waha-clock.js';
import { codeValid, type LinkState, qrValid } from './link-codes.js';
import { AuthMethod, SessionStatus, type WhatsappSession } from './whatsapp-session.entity.js';

type SessionStepType =
  | typeof CommandType.SESSION_FETCH_QR
  | typeof CommandType.SESSION_RESTART
  | typeof CommandType.SESSION_REQUEST_CODE;
export type SessionStep = {
  [T in SessionStepType]: { type: T; payload: CommandPayloads[T] };
}[SessionStepType];

/**
 * What a request for a QR or pairing code does: answer with the one shown (`steps` null), or
 * switch the session's way of linking (`switchTo`, if it changes) and queue `steps` for n8n,
 * then wait for the answer like create does. An empty `steps` waits for what is on its way.
 */
export interface LinkPlan {
  switchTo: { authMethod: AuthMethod; phoneNumber?: string } | null;
  steps: SessionStep[] | null;
}

type PlanState = LinkState & Pick<WhatsappSession, 'phoneNumber'>;

/** Statuses from which only a restart brings a new QR window. */
const NEEDS_RESTART = new Set<SessionStatus>([SessionStatus.FAILED, SessionStatus.STOPPED]);

const RESTART: SessionStep = { type: CommandType.SESSION_RESTART, payload: {} };

/** The phone scanned and is confirming the link by passkey: a new QR or code would break that off. */
const PASSKEY_STEPS = new Set<SessionStatus>([
  SessionStatus.PASSKEY_REQUIRED,
  SessionStatus.PASSKEY_CONFIRMATION_REQUIRED,
]);

function assertNotLinked(session: LinkState, what: string): void {
  if (session.status === SessionStatus.WORKING) {
    throw new DomainError(ErrorCode.FAILED_PRECONDITION, `The session is already linked: ${what}`, {
      details: { status: session.status },
    });
  }
  if (PASSKEY_STEPS.has(session.status)) {
    throw new DomainError(
      ErrorCode.FAILED_PRECONDITION,
      'The phone is confirming the link with its passkey: finish it on the phone, or restart the session to start over',
      { details: { status: session.status } },
    );
  }
}

/**
 * refreshWhatsappSessionQr at `now`: the current QR while it is valid; else a new one fetched
 * from WAHA while it is in SCAN_QR_CODE; else (WAHA failed the session after its QR window, or
 * it is stopped) a restart for a new series.
 */
export function refreshQrPlan(session: PlanState, now: number): LinkPlan {
  assertNotLinked(session, 'there is no QR to scan');
  // Rotations fetch QRs for QR sessions only: the session now links by QR.
  const switchTo = session.authMethod === AuthMethod.QR ? null : { authMethod: AuthMethod.QR };
  if (!switchTo && qrValid(session, now)) return { switchTo, steps: null };
  const scanning = session.status === SessionStatus.SCAN_QR_CODE;
  // The last QR of the window has expired (not merely announced by WAHA, its value still on its way).
  const windowOver =
    scanning &&
    (session.qrSequence ?? 0) >= QR_SERIES_LENGTH &&
    (!session.qrExpiresAt || session.qrExpiresAt.getTime() <= now);
  const steps: SessionStep[] =
    scanning && !windowOver
      ? [{ type: CommandType.SESSION_FETCH_QR, payload: {} }]
      : NEEDS_RESTART.has(session.status) || windowOver
        ? [RESTART]
        : []; // CREATING or STARTING: the QR is on its way.
  return { switchTo, steps };
}

/**
 * requestWhatsappPairingCode for `phoneNumber` (digits only) at `now`, as refreshQrPlan for the
 * QR: the current code while it is valid for that number; else a code requested, after a
 * restart when WAHA failed or stopped the session.
 */
export function pairingCodePlan(session: PlanState, phoneNumber: string, now: number): LinkPlan {
  assertNotLinked(session, 'there is no code to enter');
  const switchTo =
    session.authMethod === AuthMethod.PHONE_CODE && session.phoneNumber === phoneNumber
      ? null
      : { authMethod: AuthMethod.PHONE_CODE, phoneNumber };
  if (!switchTo && codeValid(session, now)) return { switchTo, steps: null };
  const request: SessionStep = { type: CommandType.SESSION_REQUEST_CODE, payload: { phoneNumber } };
  return { switchTo, steps: NEEDS_RESTART.has(session.status) ? [RESTART, request] : [request] };
}
