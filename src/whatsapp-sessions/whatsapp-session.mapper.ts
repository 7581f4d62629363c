import { SessionStatus, type WhatsappSession } from './whatsapp-session.entity.js';
import { type WhatsappSessionModel } from './whatsapp-session.model.js';

/** The only way a session row becomes API output: columns not named here are never exposed. */
export function toWhatsappSessionModel(session: WhatsappSession): WhatsappSessionModel {
  const waitingForScan = session.status === SessionStatus.SCAN_QR_CODE;
  return {
    id: session.id,
    displayName: session.displayName,
    authMethod: session.authMethod,
    phoneNumber: session.phoneNumber ?? null,
    status: session.status,
    me: session.meId ? { id: session.meId, pushName: session.mePushName ?? null } : null,
    qr:
      waitingForScan && session.qrValue
        ? {
            value: session.qrValue,
            expiresAt: session.qrExpiresAt ?? null,
            sequence: session.qrSequence ?? null,
          }
        : null,
    pairingCode:
      waitingForScan && session.pairingCode
        ? { code: session.pairingCode, expiresAt: session.pairingCodeExpiresAt ?? null }
        : null,
    lastError: session.lastError ? { message: session.lastError, at: session.lastErrorAt ?? null } : null,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    createdBy: session.createdBy,
    updatedBy: session.updatedBy,
  };
}
