import { crc32, deflateSync } from 'node:zlib';
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
const qrImages = new Map<string, string>();

/**
 * The QR as a PNG data URL, for an <img>. Rendered once per QR value and kept for the few
 * QRs in flight, so a thousand dashboards watching one QR cost one render.
 *
 * Rendered synchronously (see qrPng): the event's sends to every subscriber wait for this
 * render, and no thread-pool round trip or stream ticks are then between them. A throw (a
 * value no QR can hold) fails the field, as the rejected render did.
 */
export function qrPngDataUrl(value: string): string {
  let image = qrImages.get(value);
  if (image === undefined) {
    image = `data:image/png;base64,${qrPng(value).toString('base64')}`;
    qrImages.set(value, image);
    if (qrImages.size > QR_IMAGE_CACHE_SIZE) qrImages.delete(qrImages.keys().next().value as string);
  }
  return image;
}

const QR_WIDTH = 264;
const QR_MARGIN = 1;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The QR's PNG: the same pixels as `QRCode.toDataURL(value, { errorCorrectionLevel: 'M',
 * margin: 1, width: 264 })` (its geometry, black on white), encoded here instead. qrcode's PNG
 * path writes 8-bit RGBA through pngjs, tries five filters on every row in JS and deflates
 * asynchronously: 3-5 ms per QR on the event's path to every subscriber, and ~1.8-5.3 KB. A QR
 * is two colours: as 1-bit greyscale, each row either repeats the one above (filter Up: all
 * zeros) or is stored as is, deflated at once (well under a millisecond, a fraction of the bytes).
 */
function qrPng(value: string): Buffer {
  const { size, data } = QRCode.create(value, { errorCorrectionLevel: 'M' }).modules;
  // qrcode's own geometry (renderer/utils.js: getScale, getImageWidth, qrToImageData).
  const scale = QR_WIDTH >= size + QR_MARGIN * 2 ? QR_WIDTH / (size + QR_MARGIN * 2) : 4;
  const side = Math.floor((size + QR_MARGIN * 2) * scale);
  const margin = QR_MARGIN * scale;
  const stride = 1 + Math.ceil(side / 8);
  // A pixel's module: its row's and its column's (-1 in the margin); a row's pixels depend on
  // its module row alone, so a row is drawn only when that changes.
  const moduleOf = (k: number) => (k >= margin && k < side - margin ? Math.floor((k - margin) / scale) : -1);
  const columns = Int32Array.from({ length: side }, (_, j) => moduleOf(j));
  const rows = Buffer.alloc(stride * side);
  const line = Buffer.alloc(stride - 1);
  const previous = Buffer.alloc(stride - 1);
  let drawn = -2;
  for (let i = 0; i < side; i++) {
    const at = i * stride;
    const row = moduleOf(i);
    if (row !== drawn) {
      drawn = row;
      line.fill(0);
      for (let j = 0; j < side; j++) {
        const column = columns[j]!;
        // 1 is white: light pixels carry the bit.
        if (row < 0 || column < 0 || !data[row * size + column]) line[j >> 3]! |= 0x80 >> (j & 7);
      }
      if (i === 0 || !line.equals(previous)) {
        line.copy(rows, at + 1);
        line.copy(previous);
        continue;
      }
    }
    rows[at] = 2; // Up, the rest zeros: the row above again
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    // zlib's default level: level 9 takes ~8x as long here for a few per cent fewer bytes.
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, body: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write(type, 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length);
  return chunk;
}
