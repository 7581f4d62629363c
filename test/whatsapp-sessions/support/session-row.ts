import {
  AuthMethod,
  SessionStatus,
  type WhatsappSession,
} from '../../../src/whatsapp-sessions/whatsapp-session.entity.js';

/** Every column of a session row, for the pure rules' specs: no database, no ORM. */
export type SessionRow = Omit<WhatsappSession, 'tenant'> & { tenant: { id: string } };

/**
 * A session row as a plain object: a QR session waiting for its first QR unless `overrides`
 * say otherwise. Every column is set, so a rule that reads one the spec forgot still sees a value.
 */
export function sessionRow(overrides: Partial<SessionRow> = {}): WhatsappSession {
  const row: SessionRow = {
    id: 'ws_01jdzzzzzzzzzzzzzzzzzzzzzz',
    tenant: { id: 'tn_acme' },
    displayName: 'Shop',
    authMethod: AuthMethod.QR,
    phoneNumber: null,
    status: SessionStatus.STARTING,
    meId: null,
    mePushName: null,
    qrValue: null,
    qrExpiresAt: null,
    qrSequence: null,
    pairingCode: null,
    pairingCodeExpiresAt: null,
    lastError: null,
    lastErrorAt: null,
    linkedAt: null,
    workingSince: null,
    passkeyCode: null,
    cappingStatus: null,
    cappingUsedQuota: null,
    cappingTotalQuota: null,
    cappingCycleEnd: null,
    timelockActive: null,
    timelockUntil: null,
    webhookHmacKey: 'a'.repeat(64),
    idempotencyKey: null,
    deletedAt: null,
    createdAt: new Date('2026-01-01T10:00:00.000Z'),
    updatedAt: new Date('2026-01-01T10:00:00.000Z'),
    createdBy: 'user:u1',
    updatedBy: 'user:u1',
    ...overrides,
  };
  return row as unknown as WhatsappSession;
}
