import { DomainError } from '../../../src/common/domain-error.js';

/**
 * WAHA's own input rules, checked before a request leaves so that bad input fails here
 * with BAD_USER_INPUT and a field, instead of as an opaque WAHA 400/500 (or, worse, a
 * message sent to the wrong chat).
 */

/** WAHA session names: letters, digits, `_` and `-`, at most 54 characters. */
export const SESSION_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,54}$/;

/**
 * Phone numbers for `auth/request-code` and `contacts/check-exists`: international format
 * in digits only, no `+`, spaces or dashes (E.164 allows at most 15 digits).
 */
export const PHONE_NUMBER_PATTERN = /^[0-9]{7,15}$/;

/** Chat ids WAHA accepts: a person (`@c.us`), a group (`@g.us`) or a linked id (`@lid`). */
export const CHAT_ID_PATTERNS = {
  contact: /^[0-9]{7,15}@c\.us$/,
  group: /^[0-9]{5,20}(-[0-9]{5,20})?@g\.us$/,
  lid: /^[0-9]{5,20}@lid$/,
} as const;

/** Message ids: `{fromMe}_{chatId}_{id}` (the `id` part is the engine's). */
export const MESSAGE_ID_PATTERN = /^(true|false)_[0-9-]+@(c\.us|g\.us|lid)_[A-Za-z0-9]+(_[^\s]+)?$/;

export function assertSessionName(name: string, field = 'session'): string {
  if (typeof name !== 'string' || !SESSION_NAME_PATTERN.test(name)) {
    throw DomainError.badInput(
      field,
      `${field} must be 1 to 54 characters of letters, digits, "_" or "-" (WAHA's session name rule)`,
      { value: String(name) },
    );
  }
  return name;
}

export function assertPhoneNumber(phone: string, field = 'phoneNumber'): string {
  if (typeof phone !== 'string' || !PHONE_NUMBER_PATTERN.test(phone)) {
    throw DomainError.badInput(
      field,
      `${field} must be the international number in digits only (7 to 15 digits, no "+", spaces or dashes)`,
    );
  }
  return phone;
}

export function isChatId(chatId: string): boolean {
  return (
    typeof chatId === 'string' &&
    (CHAT_ID_PATTERNS.contact.test(chatId) ||
      CHAT_ID_PATTERNS.group.test(chatId) ||
      CHAT_ID_PATTERNS.lid.test(chatId))
  );
}

export function assertChatId(chatId: string, field = 'chatId'): string {
  if (!isChatId(chatId)) {
    throw DomainError.badInput(
      field,
      `${field} must be a WhatsApp chat id: <digits>@c.us, <digits>@g.us or <digits>@lid`,
      { value: String(chatId) },
    );
  }
  return chatId;
}

export function assertMessageId(messageId: string, field = 'messageId'): string {
  if (typeof messageId !== 'string' || !MESSAGE_ID_PATTERN.test(messageId)) {
    throw DomainError.badInput(field, `${field} must be a WAHA message id: {fromMe}_{chatId}_{id}`);
  }
  return messageId;
}

export function assertText(text: string, field = 'text'): string {
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw DomainError.badInput(field, `${field} must not be empty`);
  }
  // WhatsApp's own limit for one text message.
  if (text.length > 65536) {
    throw DomainError.badInput(field, `${field} must be at most 65536 characters`);
  }
  return text;
}

export function assertPaging(limit: number | undefined, offset: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    throw DomainError.badInput('limit', 'limit must be an integer from 1 to 1000');
  }
  if (offset !== undefined && (!Number.isInteger(offset) || offset < 0)) {
    throw DomainError.badInput('offset', 'offset must be an integer of at least 0');
  }
}
