import { SessionStatus, type WhatsappSession } from './whatsapp-session.entity.js';

type Shows = (session: WhatsappSession) => boolean;

/** A QR and a pairing code are shown only while WAHA waits for the phone to link. */
const showsQr: Shows = (session) => session.status === SessionStatus.SCAN_QR_CODE && !!session.qrValue;
const showsCode: Shows = (session) => session.status === SessionStatus.SCAN_QR_CODE && !!session.pairingCode;
/** Capping's numbers mean something only with its status; the timelock's end only with its flag. */
const showsCapping: Shows = (session) => !!session.cappingStatus;
const showsTimelock: Shows = (session) =>
  session.timelockActive !== null && session.timelockActive !== undefined;

/**
 * Every column the API shows of a session (ALWAYS_SHOWN, and SHOWN_WHEN with the condition):
 * the one list the mapper builds the model from (it reads the row only through `shownOf`), so a
 * change is news (a live update, attributed to its actor) exactly when one of these changes as
 * shown. Never news by themselves, so not listed: the audit stamps of the change itself
 * (`updatedAt`, `updatedBy`: they move with every write), and what the service keeps for its
 * own use, such as where WAHA's QR series stands for a pairing-code session (its QRs are never
 * shown). The subscription's `deleted` comes from `deletedAt`, which only delete and the
 * deletion report set, and they publish themselves. whatsapp-session.shown.spec.ts places every
 * column of the entity either here or among those.
 */
export const ALWAYS_SHOWN = [
  'id',
  'displayName',
  'authMethod',
  'phoneNumber',
  'status',
  'meId',
  'lastError',
  'cappingStatus',
  'timelockActive',
  'createdAt',
  'createdBy',
] as const satisfies readonly (keyof WhatsappSession)[];

export const SHOWN_WHEN = {
  mePushName: (session) => !!session.meId,
  qrValue: showsQr,
  qrExpiresAt: showsQr,
  qrSequence: showsQr,
  pairingCode: showsCode,
  pairingCodeExpiresAt: showsCode,
  lastErrorAt: (session) => !!session.lastError,
  passkeyCode: (session) =>
    session.status === SessionStatus.PASSKEY_CONFIRMATION_REQUIRED && !!session.passkeyCode,
  cappingUsedQuota: showsCapping,
  cappingTotalQuota: showsCapping,
  cappingCycleEnd: showsCapping,
  timelockUntil: showsTimelock,
} as const satisfies { [K in keyof WhatsappSession]?: Shows };

type AlwaysShown = (typeof ALWAYS_SHOWN)[number];
type ShownWhen = keyof typeof SHOWN_WHEN;
export type ShownColumn = AlwaysShown | ShownWhen;
export const SHOWN_COLUMNS: readonly ShownColumn[] = [
  ...ALWAYS_SHOWN,
  ...(Object.keys(SHOWN_WHEN) as ShownWhen[]),
];

/** What the API shows of a session: each shown column's value, null where it is not shown. */
export type ShownSession = { readonly [K in AlwaysShown]: Exclude<WhatsappSession[K], undefined> } & {
  readonly [K in ShownWhen]: NonNullable<WhatsappSession[K]> | null;
};

const shows = (column: ShownColumn, session: WhatsappSession): boolean =>
  !Object.hasOwn(SHOWN_WHEN, column) || SHOWN_WHEN[column as ShownWhen](session);

export function shownOf(session: WhatsappSession): ShownSession {
  const shown: Partial<Record<ShownColumn, unknown>> = {};
  for (const column of SHOWN_COLUMNS) {
    const value = shows(column, session) ? (session[column] ?? null) : null;
    // A copy: the snapshot must not follow the row if a date of it is changed in place.
    shown[column] = value instanceof Date ? new Date(value.getTime()) : value;
  }
  return shown as ShownSession;
}

/** One column's value unchanged: dates by their instant. */
export const sameValue = (a: unknown, b: unknown): boolean =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b;

/** Whether what the API shows differs between two snapshots of a session. */
export function shownChanged(before: ShownSession, after: ShownSession): boolean {
  return SHOWN_COLUMNS.some((column) => !sameValue(before[column], after[column]));
}
