import { DomainError } from './domain-error.js';
import { isCleanId, storedTime } from './storable.js';

/** The longest id a caller may name: every id this API hands out (ULIDs, WAHA's chat ids) is far shorter. */
const MAX_ID_ARGUMENT = 200;

/**
 * An id argument as a client names it (a session, a chat, a message, an n8n command): any id
 * this API returns passes; one with a control character, a broken surrogate or over 200
 * characters cannot name a row and is refused as input on `field` (a NUL would otherwise fail
 * the query in PostgreSQL: a 500).
 *
 * BAD_USER_INPUT, not NOT_FOUND: no row of any tenant can have such an id, so the request is
 * wrong whoever sends it, and saying so tells another tenant nothing (an id that is merely
 * unknown, or another tenant's, stays NOT_FOUND).
 */
export function validIdArgument(value: string, field: string): string {
  if (!isCleanId(value, MAX_ID_ARGUMENT)) {
    throw DomainError.badInput(field, `${field} is not an id this API returned`);
  }
  return value;
}

/** An instant a caller gives that is to be stored (an expiry), or BAD_USER_INPUT: PostgreSQL refuses years before 1 and after 9999 as toISOString writes them. */
export function validStoredInstant(value: Date, field: string): Date {
  if (storedTime(value.getTime()) === null) {
    throw DomainError.badInput(field, `${field} must be a date from year 1 to 9999`);
  }
  return value;
}
