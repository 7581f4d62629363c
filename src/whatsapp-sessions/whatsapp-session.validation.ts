import { DomainError } from '../common/domain-error.js';
import { hasControlChar, isCleanId, isStorableText, storableText } from '../common/storable.js';

export function validDisplayName(value: string, field: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 100)
    throw DomainError.badInput(field, 'A display name is 1 to 100 characters');
  if (hasControlChar(name))
    throw DomainError.badInput(field, 'A display name cannot contain control characters');
  // Half an emoji: PostgreSQL would store U+FFFD instead, so the name read back (and the
  // idempotent retry comparing it) would differ from the one given. The user can fix it.
  if (!isStorableText(name))
    throw DomainError.badInput(
      field,
      'A display name cannot contain broken characters (unpaired surrogates)',
    );
  return name;
}

/**
 * A phone number as people type it (`+49 (151) 234-5678`, `0049…`) becomes what WAHA's
 * request-code wants: digits only, with country code, no leading zero, 8 to 15 digits (E.164).
 */
export function validPhoneNumber(value: string, field: string): string {
  const compact = value.trim().replace(/[\s().-]/g, '');
  const digits = compact.startsWith('+')
    ? compact.slice(1)
    : compact.startsWith('00')
      ? compact.slice(2)
      : compact;
  if (!/^\d+$/.test(digits)) {
    throw DomainError.badInput(
      field,
      'A phone number has only digits, spaces, dashes, dots, brackets and a leading +',
    );
  }
  if (digits.startsWith('0'))
    throw DomainError.badInput(field, 'A phone number needs its country code (e.g. +49…)');
  if (digits.length < 8 || digits.length > 15) {
    throw DomainError.badInput(field, 'A phone number with country code has 8 to 15 digits');
  }
  return digits;
}

export function validIdempotencyKey(value: string, field: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(value)) {
    throw DomainError.badInput(field, 'An idempotency key is 1 to 100 letters, digits, _ . : or -');
  }
  return value;
}

/** whatsapp_sessions.me_id and me_push_name: WhatsApp's account ids are about 30 characters. */
export const ACCOUNT_ID_MAX = 100;
export const PUSH_NAME_MAX = 200;

/**
 * The linked account as WAHA reports it through n8n. The id names the linked number: one that
 * PostgreSQL cannot hold (a control character, a broken surrogate, past its column) is not
 * WAHA's, and is refused on `${field}.id`. The push name is what the person chose to be
 * called: kept, made storable (storableText), as the webhook keeps it.
 */
export function validLinkedAccount(
  me: { id: string; pushName?: string | null },
  field: string,
): { id: string; pushName: string | null } {
  if (!isCleanId(me.id, ACCOUNT_ID_MAX)) {
    throw DomainError.badInput(
      `${field}.id`,
      `A WhatsApp account id is 1 to ${ACCOUNT_ID_MAX} characters, without control characters or broken surrogates`,
    );
  }
  const pushName = me.pushName ?? null;
  return { id: me.id, pushName: pushName === null ? null : storableText(pushName, PUSH_NAME_MAX) };
}

/**
 * The most a QR value may take, in UTF-8 bytes. WAHA's raw values (`2@…,…,…,…`) are about 240;
 * a QR code at the error correction the dashboard's PNG uses (M, see qrPngDataUrl) holds at most
 * 2331 bytes, so every value accepted can be drawn: a longer one would fail each tenant's read of
 * `qr.pngDataUrl` instead of n8n's report.
 */
export const QR_VALUE_MAX_BYTES = 1000;

/** A QR value as WAHA gives it, to be stored and drawn as it is: refused, not repaired (a changed value scans as nothing). */
export function validQrValue(value: string, field: string): string {
  if (!value || Buffer.byteLength(value, 'utf8') > QR_VALUE_MAX_BYTES || !isStorableText(value)) {
    throw DomainError.badInput(
      field,
      `A QR value is 1 to ${QR_VALUE_MAX_BYTES} bytes, without NUL characters or broken surrogates`,
    );
  }
  return value;
}
