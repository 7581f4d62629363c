import { describe, expect, it } from '@jest/globals';
import { answerOf, answers, hasAnswer } from '../../src/whatsapp-sessions/code-answer.js';
import { toSessionUpdatedPayload } from '../../src/whatsapp-sessions/session-payload.js';
import { SessionStatus, type WhatsappSession } from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { sessionRow } from './support/session-row.js';

const now = Date.parse('2026-01-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now + offsetMs);

/** The session as the create wrote it, and what a later update of it carries. */
function waitFrom(overrides: Partial<WhatsappSession> = {}) {
  const created = sessionRow({ status: SessionStatus.CREATING, ...overrides });
  const before = toSessionUpdatedPayload(created).session;
  const update = (changes: Partial<WhatsappSession>, deleted = false) => {
    const payload = toSessionUpdatedPayload(
      sessionRow({ ...overrides, status: SessionStatus.CREATING, ...changes }),
    );
    return deleted ? { ...payload, deleted } : payload;
  };
  return { before, update };
}

describe('what answers a create (answers)', () => {
  const { before, update } = waitFrom();

  it('the first QR', () => {
    expect(answers(before, update({ status: SessionStatus.SCAN_QR_CODE, qrValue: 'qr-1' }))).toBe(true);
  });

  it('the first pairing code', () => {
    expect(answers(before, update({ status: SessionStatus.SCAN_QR_CODE, pairingCode: 'ABCD-EFGH' }))).toBe(
      true,
    );
  });

  it('a failure n8n or WAHA reported (FAILED with its reason, or WAHA refusing)', () => {
    expect(
      answers(
        before,
        update({ status: SessionStatus.FAILED, lastError: 'QR window over', lastErrorAt: at(0) }),
      ),
    ).toBe(true);
    expect(answers(before, update({ lastError: 'WAHA refused (WAHA 422)', lastErrorAt: at(0) }))).toBe(true);
  });

  it('the phone linked, or the session was deleted meanwhile', () => {
    expect(answers(before, update({ status: SessionStatus.WORKING }))).toBe(true);
    expect(answers(before, update({ status: SessionStatus.DELETING }, true))).toBe(true);
  });

  it('not a step on the way: STARTING, a QR window WAHA announced whose value n8n has not fetched', () => {
    expect(answers(before, update({ status: SessionStatus.STARTING }))).toBe(false);
    expect(
      answers(before, update({ status: SessionStatus.SCAN_QR_CODE, qrSequence: 1, qrExpiresAt: at(60_000) })),
    ).toBe(false);
    expect(answers(before, update({ displayName: 'Renamed' }))).toBe(false);
  });

  it('not an update of another session of the tenant', () => {
    expect(answers(before, update({ id: 'ws_other', status: SessionStatus.WORKING }))).toBe(false);
  });
});

describe('what answers a refresh that started from a QR, a code or an error already shown', () => {
  const { before, update } = waitFrom({
    status: SessionStatus.SCAN_QR_CODE,
    qrValue: 'old-qr',
    pairingCode: 'ABCD-EFGH',
    lastError: 'refused',
    lastErrorAt: at(-1000),
  });
  const scan = {
    status: SessionStatus.SCAN_QR_CODE,
    pairingCode: 'ABCD-EFGH',
    lastError: 'refused',
    lastErrorAt: at(-1000),
  };

  it('the same QR, code and error again do not answer; a new one of any does', () => {
    expect(answers(before, update({ ...scan, qrValue: 'old-qr' }))).toBe(false);
    expect(answers(before, update({ ...scan, qrValue: 'new-qr' }))).toBe(true);
    expect(answers(before, update({ ...scan, qrValue: 'old-qr', pairingCode: 'WXYZ-1234' }))).toBe(true);
    expect(answers(before, update({ ...scan, qrValue: 'old-qr', lastErrorAt: at(0) }))).toBe(true);
  });
});

describe('the session a create answers with (answerOf)', () => {
  it('is the one the answering update carried, dates and all', () => {
    const { update } = waitFrom();
    const carried = update({
      status: SessionStatus.SCAN_QR_CODE,
      qrValue: 'qr-1',
      qrSequence: 1,
      qrExpiresAt: at(60_000),
    });
    expect(answerOf(carried)).toMatchObject({
      status: SessionStatus.SCAN_QR_CODE,
      qr: { value: 'qr-1', sequence: 1, expiresAt: at(60_000) },
      updatedAt: expect.any(Date),
    });
  });

  it('is none when the wait ran out: the caller reads what is stored', () => {
    expect(answerOf(undefined)).toBeNull();
  });
});

describe('a create with nothing to wait for (hasAnswer)', () => {
  it('is one whose QR or code is valid, or that is linked', () => {
    expect(
      hasAnswer(sessionRow({ status: SessionStatus.SCAN_QR_CODE, qrValue: 'q', qrExpiresAt: at(1) }), now),
    ).toBe(true);
    expect(
      hasAnswer(
        sessionRow({
          status: SessionStatus.SCAN_QR_CODE,
          pairingCode: 'ABCD-EFGH',
          pairingCodeExpiresAt: at(1),
        }),
        now,
      ),
    ).toBe(true);
    expect(hasAnswer(sessionRow({ status: SessionStatus.WORKING }), now)).toBe(true);
  });

  it('is not one whose QR expired, nor a new one', () => {
    expect(
      hasAnswer(sessionRow({ status: SessionStatus.SCAN_QR_CODE, qrValue: 'q', qrExpiresAt: at(0) }), now),
    ).toBe(false);
    expect(hasAnswer(sessionRow({ status: SessionStatus.CREATING }), now)).toBe(false);
    expect(
      hasAnswer(sessionRow({ status: SessionStatus.FAILED, qrValue: 'q', qrExpiresAt: at(9) }), now),
    ).toBe(false);
  });
});
