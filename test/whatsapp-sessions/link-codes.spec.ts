import { describe, expect, it } from '@jest/globals';
import { WahaClock } from '../../src/waha/waha-clock.js';
import { anchorQr, takeReportedPairingCode, takeReportedQr } from '../../src/whatsapp-sessions/link-codes.js';
import {
  AuthMethod,
  SessionStatus,
  type WhatsappSession,
} from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { sessionRow } from './support/session-row.js';

const clock = new WahaClock(1);
const now = Date.parse('2026-01-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now + offsetMs);

const holding = (overrides: Partial<WhatsappSession> = {}) =>
  sessionRow({
    status: SessionStatus.SCAN_QR_CODE,
    qrValue: 'qr-2',
    qrSequence: 2,
    qrExpiresAt: at(10_000),
    meId: '49151@c.us',
    ...overrides,
  });

describe('a QR n8n reports (takeReportedQr)', () => {
  it('the first of a window is number 1, living 60 s from now, and means no account is linked', () => {
    const session = sessionRow({ status: SessionStatus.STARTING, meId: '49151@c.us' });
    takeReportedQr(session, { value: 'qr-1' }, now, clock);
    expect(session).toMatchObject({
      status: SessionStatus.SCAN_QR_CODE,
      qrValue: 'qr-1',
      qrSequence: 1,
      qrExpiresAt: at(60_000),
      meId: null,
    });
  });

  it('takes the number and expiry WAHA’s event announced for it', () => {
    const session = holding({ qrValue: null, qrSequence: 3, qrExpiresAt: at(20_000) });
    takeReportedQr(session, { value: 'qr-3' }, now, clock);
    expect(session).toMatchObject({ qrValue: 'qr-3', qrSequence: 3, qrExpiresAt: at(20_000) });
  });

  it('after the held one expired, counts the rotations WAHA made since', () => {
    const session = holding({ qrExpiresAt: at(-25_000) });
    takeReportedQr(session, { value: 'qr-4' }, now, clock);
    // Expired 25 s ago: WAHA issued number 3 then, and number 4 five seconds ago.
    expect(session).toMatchObject({ qrSequence: 4, qrExpiresAt: at(15_000) });
  });

  it('ignores a QR numbered behind the one held (fetched before a rotation, reported after)', () => {
    const session = holding();
    takeReportedQr(session, { value: 'stale', sequence: 1 }, now, clock);
    expect(session.qrValue).toBe('qr-2');
  });

  it.each([SessionStatus.WORKING, SessionStatus.FAILED, SessionStatus.STOPPED])(
    'ignores a QR reported once the session is %s',
    (status) => {
      const session = sessionRow({ status, meId: '49151@c.us' });
      takeReportedQr(session, { value: 'late' }, now, clock);
      expect(session).toMatchObject({ status, qrValue: null, meId: '49151@c.us' });
    },
  );
});

describe('a SCAN_QR_CODE event of WAHA’s (anchorQr)', () => {
  it('for the QR already held (early in its life) moves its expiry to WAHA’s stamp', () => {
    const session = holding({ qrSequence: 1, qrExpiresAt: at(60_000) });
    anchorQr(session, SessionStatus.SCAN_QR_CODE, now - 500, clock);
    expect(session).toMatchObject({ qrSequence: 1, qrExpiresAt: at(59_500) });
  });

  it('for the next QR while nothing is shown (a pairing-code session) follows WAHA’s series and the code’s window', () => {
    const session = sessionRow({
      status: SessionStatus.SCAN_QR_CODE,
      authMethod: AuthMethod.PHONE_CODE,
      pairingCode: 'ABCD-EFGH',
      qrSequence: 1,
      qrExpiresAt: at(0),
    });
    anchorQr(session, SessionStatus.SCAN_QR_CODE, now, clock);
    // Number 2 lives 20 s; four more of 20 s end the window.
    expect(session).toMatchObject({
      qrSequence: 2,
      qrExpiresAt: at(20_000),
      pairingCodeExpiresAt: at(100_000),
    });
  });
});

describe('a pairing code n8n reports (takeReportedPairingCode)', () => {
  it('is good until WAHA’s window ends: from the QR held, else a whole window from now', () => {
    const held = holding({ qrValue: null, qrSequence: 2, qrExpiresAt: at(20_000) });
    takeReportedPairingCode(held, { code: 'ABCD-EFGH' }, now, clock);
    expect(held).toMatchObject({ pairingCode: 'ABCD-EFGH', pairingCodeExpiresAt: at(100_000), meId: null });
    const fresh = sessionRow({ status: SessionStatus.STARTING });
    takeReportedPairingCode(fresh, { code: 'ABCD-EFGH' }, now, clock);
    expect(fresh).toMatchObject({ status: SessionStatus.SCAN_QR_CODE, pairingCodeExpiresAt: at(160_000) });
  });

  it('ignores a code reported once the phone linked', () => {
    const session = sessionRow({ status: SessionStatus.WORKING });
    takeReportedPairingCode(session, { code: 'ABCD-EFGH' }, now, clock);
    expect(session.pairingCode).toBeNull();
  });
});
