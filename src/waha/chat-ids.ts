/** The chat ids a message can be sent to: a person, a group, a linked id. */
export const SENDABLE_CHAT_ID = /^\d+@c\.us$|^[\d-]+@g\.us$|^\d+@lid$/;

/** Any chat id WAHA may report (also e.g. `@s.whatsapp.net`, `@newsletter`), as we store it. */
const STORABLE_CHAT_ID = /^[\w.+:-]{1,80}@[a-z.]{1,19}$/;

/** WhatsApp's status feed, not a conversation: events about it are acknowledged and not stored. */
export const STATUS_BROADCAST = 'status@broadcast';

export function isStorableChatId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 100 && STORABLE_CHAT_ID.test(value);
}

/**
 * WAHA's message ids are `{fromMe}_{chatId}_{id}` (groups add `_{participant}`); the chat id is
 * the part between the first two underscores. Null when the id has another shape.
 */
export function chatIdOfWahaMessageId(wahaId: string): string | null {
  const match = /^(?:true|false)_([^_]+@[^_]+)_/.exec(wahaId);
  return match && isStorableChatId(match[1]) ? match[1] : null;
}

/** `fromMe` as WAHA's message id says it, or null. */
export function fromMeOfWahaMessageId(wahaId: string): boolean | null {
  if (wahaId.startsWith('true_')) return true;
  if (wahaId.startsWith('false_')) return false;
  return null;
}

/** A group chat (`<id>@g.us`). */
export function isGroupChatId(chatId: string): boolean {
  return chatId.endsWith('@g.us');
}

/** A person's id as the engines write it: `<digits>@c.us`, `@s.whatsapp.net` or `@lid`, maybe with a device (`:12`) or agent (`.0`). */
const PERSON_JID = /^(\d{1,20})(?:[.:]\d{1,10}){0,2}@(c\.us|s\.whatsapp\.net|lid)$/;

/**
 * A person's id in WAHA's form (`<digits>@c.us` or `<digits>@lid`), from any of the forms the
 * engines pass in `_data` (Baileys and whatsmeow write a phone number `<digits>@s.whatsapp.net`
 * and may add the device, `<digits>:3@s.whatsapp.net`); null for anything else (a group, a
 * broadcast, a malformed id).
 */
export function personIdOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = PERSON_JID.exec(value);
  if (!match) return null;
  return `${match[1]}@${match[2] === 'lid' ? 'lid' : 'c.us'}`;
}

export const isLid = (chatId: string): boolean => chatId.endsWith('@lid');
export const isPhoneId = (chatId: string): boolean => /^\d+@c\.us$/.test(chatId);

/** WAHA's message id split as `{fromMe}_{chatId}_{rest}`: `rest` is the engine's id (and a group's `_{participant}`). */
export interface WahaMessageIdParts {
  fromMe: boolean;
  chatId: string;
  rest: string;
}

export function wahaMessageIdParts(wahaId: string): WahaMessageIdParts | null {
  const match = /^(true|false)_([^_]+@[^_]+)_(.+)$/.exec(wahaId);
  if (!match || !isStorableChatId(match[2])) return null;
  return { fromMe: match[1] === 'true', chatId: match[2]!, rest: match[3]! };
}

/**
 * The same WhatsApp message under another id of its chat. WAHA's message ids embed the chat id,
 * so one message WAHA names once under a contact's LID and once under its phone number
 * (`false_<lid>@lid_ABC` and `false_<digits>@c.us_ABC`) has two ids that differ only there: what
 * follows the chat id (the engine's id, and in a group the author) is the message's identity.
 * Null when `wahaId` does not have WAHA's shape or already names `otherChatId`.
 */
export function twinWahaId(wahaId: string, otherChatId: string): string | null {
  const parts = wahaMessageIdParts(wahaId);
  if (!parts || parts.chatId === otherChatId) return null;
  return `${String(parts.fromMe)}_${otherChatId}_${parts.rest}`;
}

/**
 * `twinWahaId` in SQL: the part of a WAHA message id that does not depend on which of its ids
 * names the chat (`{fromMe}_{rest}`), so two copies of one message compare equal; an id of
 * another shape is its own identity.
 */
export function messageIdentitySql(expression: string): string {
  return `regexp_replace(${expression}, '^(true|false)_[^_]+@[^_]+_', '\\1_')`;
}
