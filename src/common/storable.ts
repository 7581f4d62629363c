/**
 * What PostgreSQL can hold of the values callers send (WAHA's webhooks, n8n's sync, dashboards):
 * which times, which text, which ids. One home for the rules, so the webhook, the sync and the
 * cursors agree, and a value PostgreSQL would refuse is judged here (a 4xx, or made storable)
 * instead of failing the statement (a 500, which WAHA retries 15 times).
 */

/**
 * 9999-12-31T23:59:59.999Z. JavaScript dates reach year 275760 and PostgreSQL's 294276, but
 * toISOString (how dates reach PostgreSQL) writes a later year as `+033658-…`, which PostgreSQL
 * does not read; and no event or message happens after 9999.
 */
export const LAST_STORABLE_MS = 253_402_300_799_999;
/** 0001-01-01T00:00:00.000Z: before it, toISOString writes `-000001-…`, which PostgreSQL does not read. */
export const FIRST_STORABLE_MS = -62_135_596_800_000;

/**
 * WAHA's event time (the envelope's `timestamp`: Unix ms, a whole number), or null for what no
 * WAHA sends: 1970 itself or earlier, fractions (a float is a sender's seconds-or-ms confusion,
 * which would misorder session statuses), or later than 9999.
 */
export function wahaEventTime(ms: unknown): Date | null {
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms > 0 && ms <= LAST_STORABLE_MS
    ? new Date(ms)
    : null;
}

/** A WAMessage's or chat's `timestamp` (Unix seconds), or null when absent or past what can be stored. */
export function wahaSecondsTime(seconds: unknown): Date | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return null;
  const ms = seconds * 1000;
  return ms <= LAST_STORABLE_MS ? new Date(ms) : null;
}

/** An instant a stored row can have, as a cursor carries it (whole ms), or null. */
export function storedTime(ms: unknown): Date | null {
  return typeof ms === 'number' &&
    Number.isSafeInteger(ms) &&
    ms >= FIRST_STORABLE_MS &&
    ms <= LAST_STORABLE_MS
    ? new Date(ms)
    : null;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** A UTF-16 surrogate without its other half: not a character, and PostgreSQL's jsonb refuses its escape. */
const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE);
/** What PostgreSQL's text and jsonb refuse: NUL, and lone surrogates. */
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE}`);
const EVERY_UNSTORABLE = new RegExp(UNSTORABLE.source, 'g');

/**
 * An id as WAHA, n8n or a client may name a row: 1 to `max` characters, no control character
 * (PostgreSQL's text refuses NUL) and no unpaired surrogate (it would be stored as another id).
 * WAHA's ids (`false_<chat>_<hex>`, `<digits>@c.us`, `evt_…`) never have either.
 */
export function isCleanId(value: unknown, max: number): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= max &&
    !hasControlChar(value) &&
    !HAS_LONE_SURROGATE.test(value)
  );
}

/** A C0 control character or DEL: no id and no name a person types has one (NUL is one of them). */
export function hasControlChar(value: string): boolean {
  return CONTROL_CHARS.test(value);
}

/** Whether text can be stored as it is: no NUL, no unpaired surrogate (see storableText). */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Message text (a body, a chat's or account's name) as PostgreSQL can hold it in `text` and
 * `jsonb` (the message.received command): U+0000 and unpaired UTF-16 surrogates become U+FFFD,
 * cut to `maxLength` UTF-16 units (a column's limit) without splitting a surrogate pair.
 *
 * Kept, not refused: U+0000 is a legal Unicode character, and a message sent through an API
 * (bots, other WhatsApp clients) can carry one, or a broken surrogate; WhatsApp delivers it.
 * Refusing the event (a 400) would drop the whole message for good (WAHA stops retrying, n8n's
 * automations never see it) over one character no person can see. U+FFFD is Unicode's own mark
 * for "a character that could not be represented": the reader sees that something was there,
 * which silently stripping it would hide. The same input always gives the same text, so
 * redeliveries and WAHA's message.any copy stay the same message.
 */
export function storableText(text: string, maxLength?: number): string {
  let value = text;
  if (maxLength !== undefined && value.length > maxLength) {
    value = value.slice(0, maxLength);
    // The cut fell between the two halves of a pair: drop the half rather than mark it.
    if (/[\uD800-\uDBFF]$/.test(value)) value = value.slice(0, -1);
  }
  return isStorableText(value) ? value : value.replace(EVERY_UNSTORABLE, '\uFFFD');
}
