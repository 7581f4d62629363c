import { Logger } from '@nestjs/common';
import { storedTime } from '../common/storable.js';
import { CappingStatus, type WhatsappSession } from './whatsapp-session.entity.js';

/**
 * WhatsApp's 2026 limits on a linked account, as WAHA 2026.8 reports them: message capping
 * (`me.messageCapping`, a quota of new chats per cycle) and the reach-out timelock
 * (`me.reachoutTimelock`, no first message to a new contact until a time). WAHA puts them on
 * `me` of every event and in `payload.data` of the `session.status` WORKING it re-issues when
 * they change; n8n reports them fresh from `GET /api/sessions/{session}/capping` and `/timelock`.
 *
 * WAHA does not document every field's type (cycleStart/cycleEnd may be unix seconds, numeric
 * strings or ISO strings), so reading is tolerant: a field that makes no sense is left out and
 * logged, never an error — a status event or a report is never refused for it.
 */

export interface CappingReport {
  status: CappingStatus;
  usedQuota: number | null;
  /** null: no cap (WAHA's -1), or not said. */
  totalQuota: number | null;
  cycleEnd: Date | null;
}

export interface TimelockReport {
  active: boolean;
  until: Date | null;
}

/** What a report says of the limits: `undefined` = not said (keep what is stored), `null` = none. */
export interface LimitsReport {
  capping?: CappingReport | null;
  timelock?: TimelockReport | null;
}

export type LimitsState = Pick<
  WhatsappSession,
  | 'cappingStatus'
  | 'cappingUsedQuota'
  | 'cappingTotalQuota'
  | 'cappingCycleEnd'
  | 'timelockActive'
  | 'timelockUntil'
>;

const logger = new Logger('SessionLimits');
const CAPPING_STATUSES = new Set<string>(Object.values(CappingStatus));
/** PostgreSQL's int. */
const MAX_QUOTA = 2_147_483_647;
/** A number this large is milliseconds, not seconds (seconds reach it in the year 5138). */
const MS_THRESHOLD = 100_000_000_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function ignored(what: string, value: unknown): null {
  const shown = JSON.stringify(value) ?? String(value);
  logger.warn(`Ignored WAHA's ${what}: ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}`);
  return null;
}

/**
 * An instant WAHA gives: unix seconds (or milliseconds, when that large) as a number or a
 * numeric string, or an ISO 8601 string. null for anything else, or a date PostgreSQL cannot hold.
 */
export function instantOf(value: unknown): Date | null {
  let ms: number | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) {
    ms = Math.abs(value) >= MS_THRESHOLD ? value : value * 1000;
  } else if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim();
    if (/^-?\d+(\.\d+)?$/.test(text)) return instantOf(Number(text));
    // Only what looks like a date: Date.parse also takes "1" or "March".
    if (/^\d{4}-\d{2}-\d{2}/.test(text)) ms = Date.parse(text);
  }
  return ms === null || Number.isNaN(ms) ? null : storedTime(Math.round(ms));
}

function quotaOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_QUOTA ? n : null;
}

/** `me.messageCapping` (or `/capping`'s answer): undefined when absent, null when WAHA says none. */
export function cappingOf(raw: unknown): CappingReport | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  if (
    !isRecord(raw) ||
    typeof raw['cappingStatus'] !== 'string' ||
    !CAPPING_STATUSES.has(raw['cappingStatus'])
  ) {
    ignored('messageCapping', raw);
    return undefined;
  }
  const total = raw['totalQuota'];
  const noCap = total === -1 || total === '-1';
  const cycleEnd = raw['cycleEnd'];
  const report: CappingReport = {
    status: raw['cappingStatus'] as CappingStatus,
    usedQuota: quotaOf(raw['usedQuota']),
    totalQuota: noCap ? null : quotaOf(total),
    cycleEnd: cycleEnd === undefined || cycleEnd === null ? null : instantOf(cycleEnd),
  };
  if (raw['usedQuota'] !== undefined && raw['usedQuota'] !== null && report.usedQuota === null) {
    ignored('messageCapping.usedQuota', raw['usedQuota']);
  }
  if (!noCap && total !== undefined && total !== null && report.totalQuota === null) {
    ignored('messageCapping.totalQuota', total);
  }
  if (cycleEnd !== undefined && cycleEnd !== null && report.cycleEnd === null) {
    ignored('messageCapping.cycleEnd', cycleEnd);
  }
  return report;
}

/** `me.reachoutTimelock` (or `/timelock`'s answer): undefined when absent, null when WAHA says none. */
export function timelockOf(raw: unknown): TimelockReport | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  if (!isRecord(raw) || typeof raw['isActive'] !== 'boolean') {
    ignored('reachoutTimelock', raw);
    return undefined;
  }
  const ends = raw['timeEnforcementEnds'];
  const until = ends === undefined || ends === null ? null : instantOf(ends);
  if (ends !== undefined && ends !== null && until === null)
    ignored('reachoutTimelock.timeEnforcementEnds', ends);
  return { active: raw['isActive'], until };
}

/**
 * The limits a `session.status` event carries: `payload.data`'s (the re-issued WORKING says
 * what changed) over `me`'s, field by field.
 */
export function limitsOfEvent(me: unknown, data: unknown): LimitsReport {
  const from = (source: unknown) => ({
    capping: isRecord(source) ? cappingOf(source['messageCapping']) : undefined,
    timelock: isRecord(source) ? timelockOf(source['reachoutTimelock']) : undefined,
  });
  const fromData = from(data);
  const fromMe = from(me);
  const report: LimitsReport = {};
  const capping = fromData.capping !== undefined ? fromData.capping : fromMe.capping;
  const timelock = fromData.timelock !== undefined ? fromData.timelock : fromMe.timelock;
  if (capping !== undefined) report.capping = capping;
  if (timelock !== undefined) report.timelock = timelock;
  return report;
}

/** Applies what a report says; what it does not say stays as stored. */
export function applyLimits(session: LimitsState, limits: LimitsReport): void {
  if (limits.capping !== undefined) {
    const capping = limits.capping;
    session.cappingStatus = capping?.status ?? null;
    session.cappingUsedQuota = capping?.usedQuota ?? null;
    session.cappingTotalQuota = capping?.totalQuota ?? null;
    session.cappingCycleEnd = capping?.cycleEnd ?? null;
  }
  if (limits.timelock !== undefined) {
    session.timelockActive = limits.timelock?.active ?? null;
    session.timelockUntil = limits.timelock?.until ?? null;
  }
}

/** A new account (a new link) starts with WAHA's word on its own limits, not the last one's. */
export function forgetLimits(session: LimitsState): void {
  applyLimits(session, { capping: null, timelock: null });
}

/** The timelock holds at `now`: WAHA says active, and its end (if given) is still ahead. */
export function timelockHolds(session: LimitsState, now: number): boolean {
  return session.timelockActive === true && (!session.timelockUntil || session.timelockUntil.getTime() > now);
}

/** What the user must do while WAHA waits for a passkey step: shown on the dashboard. */
export const PASSKEY_INSTRUCTIONS = {
  APPROVE_ON_PHONE:
    'Approve the link on your phone: WhatsApp asks for your passkey (fingerprint, face or screen lock).',
  COMPARE_CODE: 'Check that the code shown here matches the one on your phone, then confirm on the phone.',
} as const;

/** PASSKEY_CONFIRMATION_REQUIRED's `payload.data.code`: a short code, else null (logged). */
export function passkeyCodeOf(data: unknown): string | null {
  const code = isRecord(data) ? data['code'] : undefined;
  const text = typeof code === 'number' && Number.isInteger(code) && code >= 0 ? String(code) : code;
  if (typeof text === 'string' && /^[A-Za-z0-9-]{1,20}$/.test(text)) return text;
  if (code !== undefined) ignored('passkey confirmation code', code);
  return null;
}
