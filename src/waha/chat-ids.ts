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
