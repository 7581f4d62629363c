import { describe, expect, it } from '@jest/globals';
import { WahaClock } from '../../src/waha/waha-clock.js';
import { type WahaSessionStatus } from '../../src/waha/waha.types.js';
import {
  applyReportedStatus,
  type ReportedStatus,
  sessionStatusOf,
  startsAttempt,
  type StatusReport,
} from '../../src/whatsapp-sessions/session-status.js';
import {
  AuthMethod,
  SessionStatus,
  type WhatsappSession,
} from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { sessionRow } from './support/session-row.js';

const clock = new WahaClock(1);
const now = new Date('2026-01-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

function apply(
  session: WhatsappSession,
  status: ReportedStatus,
  report: StatusReport = {},
  loggedOut = false,
): { fetchQr: boolean } {
  return applyReportedStatus(session, status, report, { loggedOut, clock, now });
}

const showingQr = (overrides: Partial<WhatsappSession> = {}) =>
  sessionRow({
    status: SessionStatus.SCAN_QR_CODE,
    qrValue: 'qr-2',
    qrSequence: 2,
    qrExpiresAt: at(10_000),
    pairingCode: 'ABCD-EFGH',
    pairingCodeExpiresAt: at(90_000),
    ...overrides,
  });

const QR_COLUMNS = ['qrValue', 'qrExpiresAt', 'qrSequence', 'pairingCode', 'pairingCodeExpiresAt'] as const;

describe('WAHA’s statuses as the session’s own (sessionStatusOf)', () => {
  it('follows the WAHA statuses of a session’s life as they are, passkey linking included', () => {
    for (const status of [
      'STOPPED',
      'STARTING',
      'SCAN_QR_CODE',
      'PASSKEY_REQUIRED',
      'PASSKEY_CONFIRMATION_REQUIRED',
      'WORKING',
      'FAILED',
    ] as const) {
      expect(sessionStatusOf(status)).toBe(SessionStatus[status]);
    }
  });

  it('does not follow anything not in WAHA’s spec', () => {
    for (const odd of ['CREATING', 'DELETING', 'toString', '__proto__', 'working']) {
      expect(sessionStatusOf(odd as WahaSessionStatus)).toBeNull();
    }
  });
});

describe('a new attempt (startsAttempt)', () => {
  it('is STARTING after anything, and a QR window after a status that was not waiting for the phone', () => {
    for (const was of Object.values(SessionStatus)) {
      expect(startsAttempt(was, SessionStatus.STARTING)).toBe(true);
    }
    for (const was of [SessionStatus.FAILED, SessionStatus.STOPPED, SessionStatus.WORKING]) {
      expect(startsAttempt(was, SessionStatus.SCAN_QR_CODE)).toBe(true);
    }
    for (const was of [SessionStatus.CREATING, SessionStatus.STARTING, SessionStatus.SCAN_QR_CODE]) {
      expect(startsAttempt(was, SessionStatus.SCAN_QR_CODE)).toBe(false);
    }
    expect(startsAttempt(SessionStatus.FAILED, SessionStatus.WORKING)).toBe(false);
    expect(startsAttempt(SessionStatus.SCAN_QR_CODE, SessionStatus.FAILED)).toBe(false);
  });
});

describe('a status WAHA reports, applied to the row (applyReportedStatus)', () => {
  it.each([
    SessionStatus.STARTING,
    SessionStatus.WORKING,
    SessionStatus.FAILED,
    SessionStatus.STOPPED,
  ] as const)('leaving the scan window for %s clears its QR and code', (status) => {
    const session = showingQr();
    apply(session, status);
    expect(session.status).toBe(status);
    for (const column of QR_COLUMNS) expect(session[column]).toBeNull();
  });

  it('keeps the QR and code when WAHA repeats SCAN_QR_CODE without a time (n8n’s report)', () => {
    const session = showingQr();
    apply(session, SessionStatus.SCAN_QR_CODE);
    expect(session).toMatchObject({ qrValue: 'qr-2', qrSequence: 2, pairingCode: 'ABCD-EFGH' });
  });

  it('changes nothing of a deleted session, and fetches nothing for it', () => {
    const session = showingQr({ deletedAt: at(-1000), meId: '49151@c.us' });
    const before = { ...session };
    expect(apply(session, SessionStatus.SCAN_QR_CODE, { fetchQrOnScan: true, occurredAt: now })).toEqual({
      fetchQr: false,
    });
    expect(session).toEqual(before);
  });

  it('WORKING forgets any error and takes the linked account', () => {
    const session = sessionRow({
      status: SessionStatus.SCAN_QR_CODE,
      lastError: 'old',
      lastErrorAt: at(5000),
    });
    apply(session, SessionStatus.WORKING, { me: { id: '4915100000000@c.us', pushName: 'Shop' } });
    expect(session).toMatchObject({
      status: SessionStatus.WORKING,
      lastError: null,
      lastErrorAt: null,
      meId: '4915100000000@c.us',
      mePushName: 'Shop',
    });
  });

  it('a boot forgets the errors before it, as of WAHA’s stamp, and keeps newer ones and a tie', () => {
    const booted = (lastErrorAt: Date) => {
      const session = sessionRow({ status: SessionStatus.FAILED, lastError: 'QR window over', lastErrorAt });
      apply(session, SessionStatus.STARTING, { occurredAt: now });
      return session.lastError;
    };
    expect(booted(at(-1))).toBeNull();
    expect(booted(at(0))).toBe('QR window over');
    expect(booted(at(1))).toBe('QR window over');
  });

  it('a boot reported by n8n (no stamp) counts from now', () => {
    const session = sessionRow({ status: SessionStatus.STOPPED, lastError: 'refused', lastErrorAt: at(-1) });
    apply(session, SessionStatus.STARTING);
    expect(session.lastError).toBeNull();
  });

  it('a QR window after STARTING is no new attempt: an error of that attempt still shows', () => {
    const session = sessionRow({
      status: SessionStatus.STARTING,
      lastError: 'code refused',
      lastErrorAt: at(-5000),
    });
    apply(session, SessionStatus.SCAN_QR_CODE, { occurredAt: now });
    expect(session.lastError).toBe('code refused');
  });

  it('FAILED always says why: the QR window that ran out, in the terms of how the session links', () => {
    const qr = sessionRow({ status: SessionStatus.SCAN_QR_CODE });
    apply(qr, SessionStatus.FAILED);
    expect(qr.lastError).toMatch(/QR window ended without a scan/);
    expect(qr.lastErrorAt).toEqual(now);
    const code = sessionRow({ status: SessionStatus.SCAN_QR_CODE, authMethod: AuthMethod.PHONE_CODE });
    apply(code, SessionStatus.FAILED);
    expect(code.lastError).toMatch(/pairing code was not entered in time/);
  });

  it('FAILED takes WAHA’s own reason, and a repeated FAILED keeps the reason unless WAHA gives one', () => {
    const session = sessionRow({ status: SessionStatus.STARTING });
    apply(session, SessionStatus.FAILED, { statusData: { error: 'engine crashed' } });
    expect(session.lastError).toBe('WAHA reported the session FAILED: engine crashed');
    const noted = session.lastErrorAt;
    apply(session, SessionStatus.FAILED, { statusData: null });
    expect(session).toMatchObject({
      lastError: 'WAHA reported the session FAILED: engine crashed',
      lastErrorAt: noted,
    });
    apply(session, SessionStatus.FAILED, { statusData: 'out of memory' });
    expect(session.lastError).toBe('WAHA reported the session FAILED: out of memory');
  });

  it('a QR window means no account is linked: SCAN_QR_CODE forgets it, whatever `me` says', () => {
    const session = sessionRow({ status: SessionStatus.WORKING, meId: '49151@c.us', mePushName: 'Shop' });
    apply(session, SessionStatus.SCAN_QR_CODE, { me: { id: '49151@c.us' } });
    expect(session).toMatchObject({ meId: null, mePushName: null });
  });

  it('the answer to a logout forgets the account whatever the status; any other report keeps it', () => {
    const linked = () =>
      sessionRow({ status: SessionStatus.WORKING, meId: '49151@c.us', mePushName: 'Shop' });
    const loggedOut = linked();
    apply(loggedOut, SessionStatus.STOPPED, { me: { id: '49151@c.us' } }, true);
    expect(loggedOut).toMatchObject({ status: SessionStatus.STOPPED, meId: null, mePushName: null });
    const stopped = linked();
    apply(stopped, SessionStatus.STOPPED);
    expect(stopped).toMatchObject({ meId: '49151@c.us', mePushName: 'Shop' });
  });

  it('anchors the first QR of a window on WAHA’s stamp: number 1, living 60 s from it', () => {
    const session = sessionRow({ status: SessionStatus.STARTING });
    apply(session, SessionStatus.SCAN_QR_CODE, { occurredAt: now });
    expect(session).toMatchObject({ qrSequence: 1, qrExpiresAt: at(60_000), qrValue: null });
  });

  it('WAHA’s webhook asks for one QR fetch per SCAN_QR_CODE event, rotations included, for QR sessions only', () => {
    const scan = (session: WhatsappSession, report: StatusReport) =>
      apply(session, SessionStatus.SCAN_QR_CODE, { occurredAt: now, ...report }).fetchQr;
    const qr = sessionRow({ status: SessionStatus.STARTING });
    expect(scan(qr, { fetchQrOnScan: true })).toBe(true);
    // The next QR of the window: the same status again.
    expect(scan(qr, { fetchQrOnScan: true, occurredAt: at(60_000) })).toBe(true);
    expect(scan(sessionRow({ authMethod: AuthMethod.PHONE_CODE }), { fetchQrOnScan: true })).toBe(false);
    // n8n's own report of the status fetches nothing: n8n reports the QR itself.
    expect(scan(sessionRow(), {})).toBe(false);
    expect(apply(sessionRow(), SessionStatus.WORKING, { fetchQrOnScan: true }).fetchQr).toBe(false);
  });

  it('notes when the account was linked and when each WORKING began: a reconnect keeps the link, a new window forgets it', () => {
    const session = sessionRow({ status: SessionStatus.SCAN_QR_CODE });
    apply(session, SessionStatus.WORKING, { occurredAt: at(1000), me: { id: '4915100000000@c.us' } });
    expect([session.linkedAt, session.workingSince]).toEqual([at(1000), at(1000)]);
    // The phone loses its connection, WAHA reconnects: the same link, a new WORKING.
    apply(session, SessionStatus.STARTING, { occurredAt: at(5000) });
    expect([session.linkedAt, session.workingSince]).toEqual([at(1000), null]);
    apply(session, SessionStatus.WORKING, { occurredAt: at(9000) });
    expect([session.linkedAt, session.workingSince]).toEqual([at(1000), at(9000)]);
    // A repeated WORKING is no new stretch; n8n's report (no stamp) counts from now.
    apply(session, SessionStatus.WORKING, {});
    expect(session.workingSince).toEqual(at(9000));
    // Logged out, a new QR window: the next WORKING is a new link.
    apply(session, SessionStatus.SCAN_QR_CODE, { occurredAt: at(20_000) });
    expect([session.linkedAt, session.workingSince]).toEqual([null, null]);
    apply(session, SessionStatus.WORKING, {});
    expect([session.linkedAt, session.workingSince]).toEqual([now, now]);
  });
});

describe('passkey linking and the account’s limits (applyReportedStatus)', () => {
  it('leaves the QR for the passkey steps, keeps the code to compare in its own step only', () => {
    const session = showingQr();
    apply(session, SessionStatus.PASSKEY_REQUIRED, { statusData: { challenge: 'abc' } });
    expect(session).toMatchObject({ qrValue: null, pairingCode: null, passkeyCode: null });
    apply(session, SessionStatus.PASSKEY_CONFIRMATION_REQUIRED, { statusData: { code: 4821 } });
    expect(session.passkeyCode).toBe('4821');
    // Repeated without a code (n8n's report): the code shown stays.
    apply(session, SessionStatus.PASSKEY_CONFIRMATION_REQUIRED);
    expect(session.passkeyCode).toBe('4821');
    apply(session, SessionStatus.WORKING, { me: { id: '4915100000000@c.us' } });
    expect(session).toMatchObject({ passkeyCode: null, meId: '4915100000000@c.us' });
  });

  it('says why a passkey step failed when WAHA does not', () => {
    const session = sessionRow({ status: SessionStatus.PASSKEY_CONFIRMATION_REQUIRED, passkeyCode: '1' });
    apply(session, SessionStatus.FAILED);
    expect(session.lastError).toMatch(/passkey was not approved, or the code not confirmed/);
    expect(session.passkeyCode).toBeNull();
  });

  it('takes the limits a report carries, keeps what it leaves out, and forgets them with the account', () => {
    const session = sessionRow({ status: SessionStatus.WORKING, meId: '4915100000000@c.us' });
    const cycleEnd = new Date('2030-01-01T00:00:00.000Z');
    const capping = { status: 'CAPPED' as const, usedQuota: 5, totalQuota: 5, cycleEnd };
    apply(session, SessionStatus.WORKING, { limits: { capping } });
    apply(session, SessionStatus.WORKING, { limits: { timelock: { active: true, until: null } } });
    expect(session).toMatchObject({
      cappingStatus: 'CAPPED',
      cappingCycleEnd: cycleEnd,
      timelockActive: true,
    });
    apply(session, SessionStatus.WORKING, { limits: { capping: null } });
    expect(session).toMatchObject({ cappingStatus: null, cappingUsedQuota: null, timelockActive: true });
    apply(session, SessionStatus.SCAN_QR_CODE);
    expect(session).toMatchObject({ timelockActive: null, timelockUntil: null, linkedAt: null });
  });
});
