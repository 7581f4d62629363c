import { describe, expect, it } from '@jest/globals';
import { pairingCodePlan, refreshQrPlan } from '../../src/whatsapp-sessions/link-plans.js';
import {
  AuthMethod,
  SessionStatus,
  type WhatsappSession,
} from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { sessionRow } from './support/session-row.js';

const now = Date.parse('2026-01-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now + offsetMs);
const typesOf = (plan: { steps: { type: string }[] | null }) => plan.steps?.map((step) => step.type) ?? null;

const scanning = (overrides: Partial<WhatsappSession> = {}) =>
  sessionRow({
    status: SessionStatus.SCAN_QR_CODE,
    qrValue: 'qr-2',
    qrSequence: 2,
    qrExpiresAt: at(5000),
    ...overrides,
  });

describe('a QR or pairing code asked for while the phone confirms by passkey', () => {
  it.each([SessionStatus.PASSKEY_REQUIRED, SessionStatus.PASSKEY_CONFIRMATION_REQUIRED])(
    'is FAILED_PRECONDITION in %s: a new QR or code would break off the link in progress',
    (status) => {
      const session = sessionRow({ status });
      for (const plan of [
        () => refreshQrPlan(session, now),
        () => pairingCodePlan(session, '491512345678', now),
      ]) {
        expect(plan).toThrow(expect.objectContaining({ code: 'FAILED_PRECONDITION', details: { status } }));
        expect(plan).toThrow(/passkey/);
      }
    },
  );
});

describe('which step refreshWhatsappSessionQr takes (refreshQrPlan)', () => {
  it('answers with the QR shown while it is valid: no step', () => {
    expect(refreshQrPlan(scanning(), now)).toEqual({ switchTo: null, steps: null });
  });

  it('fetches a new QR while WAHA shows QRs and the one held expired, or none is held yet', () => {
    expect(typesOf(refreshQrPlan(scanning({ qrExpiresAt: at(0) }), now))).toEqual(['session.fetchQr']);
    expect(typesOf(refreshQrPlan(scanning({ qrValue: null }), now))).toEqual(['session.fetchQr']);
  });

  it('fetches the sixth QR that WAHA announced but whose value is on its way (the window is not over)', () => {
    const announced = scanning({ qrValue: null, qrSequence: 6, qrExpiresAt: at(1000) });
    expect(typesOf(refreshQrPlan(announced, now))).toEqual(['session.fetchQr']);
  });

  it('restarts once the sixth and last QR has expired: WAHA ends the window', () => {
    expect(typesOf(refreshQrPlan(scanning({ qrSequence: 6, qrExpiresAt: at(0) }), now))).toEqual([
      'session.restart',
    ]);
    expect(typesOf(refreshQrPlan(scanning({ qrSequence: 6, qrExpiresAt: null }), now))).toEqual([
      'session.restart',
    ]);
  });

  it.each([SessionStatus.FAILED, SessionStatus.STOPPED])(
    'restarts a %s session for a new window',
    (status) => {
      expect(typesOf(refreshQrPlan(sessionRow({ status }), now))).toEqual(['session.restart']);
    },
  );

  it.each([SessionStatus.CREATING, SessionStatus.STARTING])(
    'waits for the QR on its way while %s: no step, but a wait',
    (status) => {
      expect(refreshQrPlan(sessionRow({ status }), now)).toEqual({ switchTo: null, steps: [] });
    },
  );

  it('switches a pairing-code session to QR, and then fetches even though a QR is still valid', () => {
    const plan = refreshQrPlan(scanning({ authMethod: AuthMethod.PHONE_CODE, phoneNumber: '4915100' }), now);
    expect(plan.switchTo).toEqual({ authMethod: AuthMethod.QR });
    expect(typesOf(plan)).toEqual(['session.fetchQr']);
  });

  it('is FAILED_PRECONDITION on a linked session', () => {
    expect(() => refreshQrPlan(sessionRow({ status: SessionStatus.WORKING }), now)).toThrow(
      'The session is already linked: there is no QR to scan',
    );
  });
});

describe('which step requestWhatsappPairingCode takes (pairingCodePlan)', () => {
  const byCode = (overrides: Partial<WhatsappSession> = {}) =>
    scanning({
      authMethod: AuthMethod.PHONE_CODE,
      phoneNumber: '491512345678',
      pairingCode: 'ABCD-EFGH',
      pairingCodeExpiresAt: at(60_000),
      ...overrides,
    });

  it('answers with the code shown while it is valid for that number', () => {
    expect(pairingCodePlan(byCode(), '491512345678', now)).toEqual({ switchTo: null, steps: null });
  });

  it('requests a code for another number, switching the session to it', () => {
    const plan = pairingCodePlan(byCode(), '15550001111', now);
    expect(plan).toEqual({
      switchTo: { authMethod: AuthMethod.PHONE_CODE, phoneNumber: '15550001111' },
      steps: [{ type: 'session.requestCode', payload: { phoneNumber: '15550001111' } }],
    });
  });

  it('requests a new code when the one shown expired, and switches a QR session to PHONE_CODE', () => {
    expect(typesOf(pairingCodePlan(byCode({ pairingCodeExpiresAt: at(0) }), '491512345678', now))).toEqual([
      'session.requestCode',
    ]);
    const qr = pairingCodePlan(scanning(), '491512345678', now);
    expect(qr.switchTo).toEqual({ authMethod: AuthMethod.PHONE_CODE, phoneNumber: '491512345678' });
    expect(typesOf(qr)).toEqual(['session.requestCode']);
  });

  it.each([SessionStatus.FAILED, SessionStatus.STOPPED])(
    'restarts a %s session before requesting',
    (status) => {
      expect(typesOf(pairingCodePlan(sessionRow({ status }), '491512345678', now))).toEqual([
        'session.restart',
        'session.requestCode',
      ]);
    },
  );

  it('is FAILED_PRECONDITION on a linked session', () => {
    expect(() => pairingCodePlan(sessionRow({ status: SessionStatus.WORKING }), '4915', now)).toThrow(
      'The session is already linked: there is no code to enter',
    );
  });
});
