import { DomainError } from '../common/domain-error.js';
import { isStorableText } from '../common/storable.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function validDisplayName(value: string, field: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 100)
    throw DomainError.badInput(field, 'A display name is 1 to 100 characters');
  if (CONTROL_CHARS.test(name))
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

