/**
 * WhatsApp's 2026 rules as WAHA reports them, in the simulator: passkey linking (WAHA 2026.7,
 * statuses PASSKEY_REQUIRED → PASSKEY_CONFIRMATION_REQUIRED → WORKING), message capping
 * (WAHA 2026.8.1, `me.messageCapping`, `GET /api/sessions/{session}/capping`, GOWS only) and the
 * reach-out timelock (WAHA 2026.8, `me.reachoutTimelock`, `GET /api/sessions/{session}/timelock`;
 * a first message to a new contact fails with 500 "server returned error 463").
 */
import { randomBytes, randomInt } from 'node:crypto';

import type { MeInfo } from '../../../src/waha/waha.types.js';
import type { SimEngine } from './sim-engine.js';
import { SimControlError, WahaHttpError } from './sim-errors.js';
import type { SimSession } from './sim-session.js';

/** WAHA's `PasskeyChallenge` (openapi), what PASSKEY_REQUIRED carries in `payload.data`. */
export interface SimPasskeyChallenge {
  challenge: string;
  timeout: number;
  rpId: string;
  allowCredentials: { id: string; type: string; transports?: string[] }[];
  userVerification: string;
}

export interface SimPasskey {
  challenge: SimPasskeyChallenge;
  /** Set when WhatsApp asks the user to compare a code (PASSKEY_CONFIRMATION_REQUIRED). */
  code: string | null;
  /** The account that links once the passkey step is done. */
  me: Partial<MeInfo> | undefined;
}

/** `me.messageCapping`: what setCapping takes (WAHA's field names; numbers as WAHA sends them). */
export interface SimCapping {
  cappingStatus: 'NONE' | 'FIRST_WARNING' | 'SECOND_WARNING' | 'CAPPED' | string;
  totalQuota: number;
  usedQuota: number;
  /** Unix seconds (WAHA does not document the type: a test may give a string, as some versions do). */
  cycleStart: number | string;
  cycleEnd: number | string;
  mvStatus: string;
  oteStatus: string;
}

/** `me.reachoutTimelock`. */
export interface SimTimelock {
  enforcementType: 'RESTRICT_ALL_COMPANIONS' | string;
  isActive: boolean;
  /** Unix seconds. */
  timeEnforcementEnds: number | string | null;
}

export interface SimLimits {
  capping: SimCapping | null;
  timelock: SimTimelock | null;
}

export const noLimits = (): SimLimits => ({ capping: null, timelock: null });

export function newPasskey(me: Partial<MeInfo> | undefined, confirmWithCode: boolean): SimPasskey {
  return {
    challenge: {
      challenge: randomBytes(32).toString('base64url'),
      timeout: 60_000,
      rpId: 'web.whatsapp.com',
      allowCredentials: [
        { id: randomBytes(16).toString('base64url'), type: 'public-key', transports: ['internal', 'hybrid'] },
      ],
      userVerification: 'required',
    },
    code: confirmWithCode ? String(randomInt(1000, 10_000)) : null,
    me,
  };
}

/** A capping as WAHA would report it, from what a test gives (the rest filled in sensibly). */
export function cappingOf(input: Partial<SimCapping>, now = Date.now()): SimCapping {
  const start = Math.floor(now / 1000);
  return {
    cappingStatus: 'NONE',
    totalQuota: -1,
    usedQuota: 0,
    cycleStart: start,
    cycleEnd: start + 7 * 24 * 3600,
    mvStatus: 'NONE',
    oteStatus: 'NONE',
    ...input,
  };
}

export function timelockOf(input: Partial<SimTimelock>, now = Date.now()): SimTimelock {
  return {
    enforcementType: 'RESTRICT_ALL_COMPANIONS',
    isActive: true,
    timeEnforcementEnds: Math.floor(now / 1000) + 24 * 3600,
    ...input,
  };
}

/** `me` as WAHA 2026.8 shows it: the account, with its capping and timelock once reported. */
export function meWithLimits(session: SimSession): (MeInfo & Record<string, unknown>) | null {
  if (!session.me) return null;
  return {
    ...session.me,
    ...(session.limits.capping ? { messageCapping: session.limits.capping } : {}),
    ...(session.limits.timelock ? { reachoutTimelock: session.limits.timelock } : {}),
  };
}

/** Whether WAHA would refuse a first message to `chatId` now: the timelock holds and the contact is new. */
export function reachoutRefused(session: SimSession, chatId: string, now = Date.now()): boolean {
  const lock = session.limits.timelock;
  if (!lock?.isActive) return false;
  const ends = Number(lock.timeEnforcementEnds);
  if (lock.timeEnforcementEnds !== null && Number.isFinite(ends) && ends * 1000 <= now) return false;
  if (chatId.endsWith('@g.us')) return false;
  // A contact is new until it has written to the account.
  const chat = session.chats.get(chatId);
  return !chat || !chat.messages.some((m) => !m.fromMe);
}

/** WAHA's answer when WhatsApp refuses the reach-out (GOWS surfaces whatsmeow's error as is). */
export function reachoutError(path: string): Record<string, unknown> {
  return {
    statusCode: 500,
    timestamp: new Date().toISOString(),
    exception: { message: 'server returned error 463', name: 'Error' },
    request: { path, method: 'POST', query: {} },
  };
}

// ------------------------------------------------------------ the steps, on the engine

/**
 * The phone scanned the QR, and WhatsApp asks for its passkey (GOWS, WAHA 2026.7):
 * SCAN_QR_CODE → PASSKEY_REQUIRED with the WebAuthn challenge in `payload.data`. The passkey
 * assertion (POST /api/{session}/auth/passkey, or passkeyApprove) moves it on: to
 * PASSKEY_CONFIRMATION_REQUIRED with `{code}` when `confirmWithCode` (the default), else WORKING.
 */
export function linkWithPasskey(
  engine: SimEngine,
  session: SimSession,
  options: { me?: Partial<MeInfo>; confirmWithCode?: boolean } = {},
): void {
  if (session.status !== 'SCAN_QR_CODE') {
    throw new SimControlError(
      409,
      `session ${session.name} is ${session.status}; linking needs SCAN_QR_CODE`,
    );
  }
  engine.clearTimer(session);
  engine.clearPairing(session);
  const passkey = newPasskey(options.me, options.confirmWithCode !== false);
  engine.setStatus(session, 'PASSKEY_REQUIRED', false, Date.now(), passkey.challenge);
  // After setStatus, which forgets a passkey outside the passkey statuses.
  session.passkey = passkey;
}

/** The passkey assertion was accepted: the code to compare, or linked. */
export function passkeyApprove(engine: SimEngine, session: SimSession): void {
  const passkey = session.passkey;
  if (session.status !== 'PASSKEY_REQUIRED' || !passkey) {
    throw WahaHttpError.wrongStatus(session.name, session.status, ['PASSKEY_REQUIRED']);
  }
  if (passkey.code) {
    engine.setStatus(session, 'PASSKEY_CONFIRMATION_REQUIRED', false, Date.now(), { code: passkey.code });
  } else {
    finishPasskey(engine, session);
  }
}

/** The user confirmed the code (on the phone, or POST /api/{session}/auth/passkey/confirm): linked. */
export function passkeyConfirm(engine: SimEngine, session: SimSession): void {
  if (session.status !== 'PASSKEY_CONFIRMATION_REQUIRED' || !session.passkey) {
    throw WahaHttpError.wrongStatus(session.name, session.status, ['PASSKEY_CONFIRMATION_REQUIRED']);
  }
  finishPasskey(engine, session);
}

function finishPasskey(engine: SimEngine, session: SimSession): void {
  const me = session.passkey?.me;
  session.passkey = null;
  // link() wants SCAN_QR_CODE: the passkey step stood in for the scan.
  session.status = 'SCAN_QR_CODE';
  engine.link(session, me);
}

function requireAccount(session: SimSession): void {
  if (!session.me) {
    throw new SimControlError(
      409,
      `session ${session.name} has no linked account; its limits are the account's`,
    );
  }
}

/**
 * WhatsApp changed the account's message capping (WAHA 2026.8.1): kept on `me`, and, while
 * WORKING, WAHA re-issues `session.status` WORKING with `payload.data.messageCapping`. null:
 * no capping known.
 */
export function setCapping(engine: SimEngine, session: SimSession, input: Partial<SimCapping> | null): void {
  requireAccount(session);
  session.limits.capping = input === null ? null : cappingOf(input);
  if (session.status === 'WORKING') {
    engine.setStatus(session, 'WORKING', true, Date.now(), { messageCapping: session.limits.capping });
  }
}

/** The reach-out timelock changed (WAHA 2026.8): as setCapping, with `payload.data.reachoutTimelock`. */
export function setTimelock(
  engine: SimEngine,
  session: SimSession,
  input: Partial<SimTimelock> | null,
): void {
  requireAccount(session);
  session.limits.timelock = input === null ? null : timelockOf(input);
  if (session.status === 'WORKING') {
    engine.setStatus(session, 'WORKING', true, Date.now(), { reachoutTimelock: session.limits.timelock });
  }
}
