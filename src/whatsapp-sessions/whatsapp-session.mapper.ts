import QRCode from 'qrcode';
import { PASSKEY_INSTRUCTIONS } from './session-limits.js';
import { CappingStatus, SessionStatus, type WhatsappSession } from './whatsapp-session.entity.js';
import {
  PasskeyStep,
  type WhatsappPasskeyModel,
  type WhatsappSessionModel,
} from './whatsapp-session.model.js';
import { type ShownSession, shownOf } from './whatsapp-session.shown.js';

function passkeyOf(shown: ShownSession): WhatsappPasskeyModel | null {
  if (shown.status === SessionStatus.PASSKEY_REQUIRED) {
    return {
      step: PasskeyStep.APPROVE_ON_PHONE,
      code: null,
      instruction: PASSKEY_INSTRUCTIONS.APPROVE_ON_PHONE,
    };
  }
  if (shown.status === SessionStatus.PASSKEY_CONFIRMATION_REQUIRED) {
    return {
      step: PasskeyStep.COMPARE_CODE,
      code: shown.passkeyCode,
      instruction: PASSKEY_INSTRUCTIONS.COMPARE_CODE,
    };
  }
  return null;
}

/**
 * The only way a session row becomes API output: it reads the row through `shownOf` (the one
 * list of shown columns), so no other column is ever exposed, and none is shown that a change
 * could move unnoticed. The audit stamps of the last change come with it.
 */
export function toWhatsappSessionModel(session: WhatsappSession): WhatsappSessionModel {
  const shown = shownOf(session);
  return {
    id: shown.id,
    displayName: shown.displayName,
    authMethod: shown.authMethod,
    phoneNumber: shown.phoneNumber,
    status: shown.status,
    me: shown.meId ? { wahaId: shown.meId, pushName: shown.mePushName } : null,
    qr: shown.qrValue
      ? { value: shown.qrValue, expiresAt: shown.qrExpiresAt, sequence: shown.qrSequence }
      : null,
    pairingCode: shown.pairingCode
      ? { code: shown.pairingCode, expiresAt: shown.pairingCodeExpiresAt }
      : null,
    passkey: passkeyOf(shown),
    messageCapping: shown.cappingStatus
      ? {
          status: shown.cappingStatus,
          warning:
            shown.cappingStatus === CappingStatus.FIRST_WARNING ||
            shown.cappingStatus === CappingStatus.SECOND_WARNING,
          usedQuota: shown.cappingUsedQuota,
          totalQuota: shown.cappingTotalQuota,
          cycleEnd: shown.cappingCycleEnd,
        }
      : null,
    reachoutTimelock:
      shown.timelockActive === null
        ? null
        : {
            // As WAHA said: a read model that changed with the clock would publish nothing when it did.
            active: shown.timelockActive,
            until: shown.timelockUntil,
          },
    lastError: shown.lastError ? { message: shown.lastError, at: shown.lastErrorAt } : null,
    createdAt: shown.createdAt,
    updatedAt: session.updatedAt,
    createdBy: shown.createdBy,
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
