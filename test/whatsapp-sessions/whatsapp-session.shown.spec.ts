import { describe, expect, it } from '@jest/globals';
import {
  AuthMethod,
  CappingStatus,
  SessionStatus,
  type WhatsappSession,
  WhatsappSessionSchema,
} from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { toWhatsappSessionModel } from '../../src/whatsapp-sessions/whatsapp-session.mapper.js';
import { SHOWN_COLUMNS, shownChanged, shownOf } from '../../src/whatsapp-sessions/whatsapp-session.shown.js';
import { sessionRow } from './support/session-row.js';

/** Columns the API never shows, or shows only as a stamp of the change itself. */
const NOT_NEWS = [
  'tenant',
  'webhookHmacKey',
  'idempotencyKey',
  'deletedAt',
  'updatedAt',
  'updatedBy',
  // They change only with the status, which is news by itself.
  'linkedAt',
  'workingSince',
];

/** A session that shows everything it can: a linked account, a QR and a code, an error. */
const everythingShown = () =>
  sessionRow({
    status: SessionStatus.SCAN_QR_CODE,
    authMethod: AuthMethod.PHONE_CODE,
    phoneNumber: '491512345678',
    meId: '4915100000000@c.us',
    mePushName: 'Shop',
    qrValue: 'qr-1',
    qrExpiresAt: new Date('2026-01-01T10:01:00.000Z'),
    qrSequence: 1,
    pairingCode: 'ABCD-EFGH',
    pairingCodeExpiresAt: new Date('2026-01-01T10:02:40.000Z'),
    lastError: 'WAHA refused',
    lastErrorAt: new Date('2026-01-01T09:59:00.000Z'),
    cappingStatus: CappingStatus.FIRST_WARNING,
    cappingUsedQuota: 8,
    cappingTotalQuota: 10,
    cappingCycleEnd: new Date('2099-01-08T00:00:00.000Z'),
    timelockActive: true,
    timelockUntil: new Date('2099-01-02T00:00:00.000Z'),
  });

/** The passkey code is shown only in its own step, where no QR or pairing code is. */
const passkeyConfirmation = () =>
  sessionRow({ status: SessionStatus.PASSKEY_CONFIRMATION_REQUIRED, passkeyCode: '4821' });

/** Another value of the same kind as `value`, for column `column`. */
function otherValue(column: string, value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime() + 1000);
  if (typeof value === 'number') return value === 1 ? 2 : 1;
  if (typeof value === 'boolean') return !value;
  if (column === 'status')
    return value === SessionStatus.WORKING ? SessionStatus.FAILED : SessionStatus.WORKING;
  if (column === 'authMethod') return value === AuthMethod.QR ? AuthMethod.PHONE_CODE : AuthMethod.QR;
  if (typeof value === 'string') return `${value}-changed`;
  return 'set';
}

/** What the API shows, as the old snapshot compared it: the model as JSON, without the change's stamps. */
function modelJson(session: WhatsappSession): string {
  const { updatedAt: _updatedAt, updatedBy: _updatedBy, ...shown } = toWhatsappSessionModel(session);
  return JSON.stringify(shown);
}

function change(session: WhatsappSession, column: string): boolean {
  const before = shownOf(session);
  const record = session as unknown as Record<string, unknown>;
  record[column] = otherValue(column, record[column]);
  return shownChanged(before, shownOf(session));
}

describe('what the API shows of a session (shownOf / shownChanged)', () => {
  it('places every column of the entity: shown, or never news by itself', () => {
    const columns = Object.keys(WhatsappSessionSchema.meta.properties);
    expect([...SHOWN_COLUMNS, ...NOT_NEWS].sort()).toEqual([...columns].sort());
  });

  it.each(SHOWN_COLUMNS)('counts a change of %s, shown, as a change', (column) => {
    expect(change(column === 'passkeyCode' ? passkeyConfirmation() : everythingShown(), column)).toBe(true);
  });

  it.each(NOT_NEWS.filter((column) => column !== 'tenant'))(
    'does not count a change of %s alone',
    (column) => {
      expect(change(everythingShown(), column)).toBe(false);
    },
  );

  it('does not count where WAHA’s QR series stands for a session that shows no QR (a pairing-code session)', () => {
    const session = sessionRow({
      status: SessionStatus.SCAN_QR_CODE,
      authMethod: AuthMethod.PHONE_CODE,
      pairingCode: 'ABCD-EFGH',
      qrSequence: 2,
      qrExpiresAt: new Date('2026-01-01T10:01:00.000Z'),
    });
    expect(change(session, 'qrSequence')).toBe(false);
    expect(change(session, 'qrExpiresAt')).toBe(false);
    // Its code's expiry is shown.
    expect(change(session, 'pairingCodeExpiresAt')).toBe(true);
  });

  it('does not count a QR or code kept after the scan window (not shown outside SCAN_QR_CODE)', () => {
    const session = sessionRow({ status: SessionStatus.FAILED, qrValue: 'qr-6', pairingCode: 'ABCD-EFGH' });
    for (const column of ['qrValue', 'qrSequence', 'pairingCode', 'pairingCodeExpiresAt']) {
      expect(change(session, column)).toBe(false);
    }
  });

  it('does not count a passkey code outside its step, nor capping numbers or a timelock end without their state', () => {
    expect(change(sessionRow({ status: SessionStatus.WORKING, passkeyCode: '4821' }), 'passkeyCode')).toBe(
      false,
    );
    const session = sessionRow({
      cappingUsedQuota: 3,
      cappingCycleEnd: new Date(),
      timelockUntil: new Date(),
    });
    for (const column of ['cappingUsedQuota', 'cappingTotalQuota', 'cappingCycleEnd', 'timelockUntil']) {
      expect(change(session, column)).toBe(false);
    }
  });

  it('does not count a push name without an account, nor an error time without an error', () => {
    const session = sessionRow({ meId: null, lastError: null });
    expect(change(session, 'mePushName')).toBe(false);
    expect(change(session, 'lastErrorAt')).toBe(false);
  });

  it('counts a date moved to another instant, not a new Date of the same instant', () => {
    const session = everythingShown();
    const before = shownOf(session);
    session.qrExpiresAt = new Date(session.qrExpiresAt!.getTime());
    expect(shownChanged(before, shownOf(session))).toBe(false);
    session.qrExpiresAt.setTime(session.qrExpiresAt.getTime() + 1);
    expect(shownChanged(before, shownOf(session))).toBe(true);
  });

  // The comparison agrees with the model itself, column by column, whatever the session shows.
  const states: [string, () => WhatsappSession][] = [
    ['everything shown', everythingShown],
    ['a new session', () => sessionRow({ status: SessionStatus.CREATING })],
    [
      'a pairing-code session',
      () => sessionRow({ status: SessionStatus.SCAN_QR_CODE, pairingCode: 'WXYZ-1234', qrSequence: 3 }),
    ],
    ['a linked one', () => sessionRow({ status: SessionStatus.WORKING, meId: '49151@c.us', qrSequence: 6 })],
    ['a passkey confirmation', passkeyConfirmation],
    [
      'a capped one with a timelock that ended',
      () =>
        sessionRow({
          status: SessionStatus.WORKING,
          meId: '49151@c.us',
          cappingStatus: CappingStatus.CAPPED,
          cappingUsedQuota: 10,
          cappingTotalQuota: 10,
          cappingCycleEnd: new Date('2099-01-08T00:00:00.000Z'),
          timelockActive: true,
          timelockUntil: new Date('2020-01-01T00:00:00.000Z'),
        }),
    ],
  ];
  it.each(states)('agrees with the API model for every column of %s', (_name, make) => {
    const columns = Object.keys(WhatsappSessionSchema.meta.properties).filter((c) => c !== 'tenant');
    for (const column of columns) {
      const session = make();
      const model = modelJson(session);
      const changed = change(session, column);
      expect({ column, changed }).toEqual({ column, changed: modelJson(session) !== model });
    }
  });
});
