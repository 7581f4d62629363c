import QRCode from 'qrcode';
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

const QR_IMAGE_CACHE_SIZE = 128;
const qrImages = new Map<string, Promise<string>>();

/**
 * The QR as a PNG data URL, for an <img>. Rendered once per QR value and kept for the few
 * QRs in flight, so a thousand dashboards watching one QR cost one render.
 */
export function qrPngDataUrl(value: string): Promise<string> {
  let image = qrImages.get(value);
  if (!image) {
    image = QRCode.toDataURL(value, { errorCorrectionLevel: 'M', margin: 1, width: 264 });
    image.catch(() => qrImages.delete(value));
    qrImages.set(value, image);
    if (qrImages.size > QR_IMAGE_CACHE_SIZE) qrImages.delete(qrImages.keys().next().value as string);
  }
  return image;
}
