import { isStorableChatId, personIdOf } from './chat-ids.js';
import { isAck } from './acks.js';
import { type MessageType } from './message-types.js';
import {
  altChatIdOf,
  authorOf,
  type IncomingLocation,
  type IncomingMedia,
  type IncomingReplyTo,
  isObject,
  locationOf,
  mediaOf,
  otherIdOf,
  messageTypeOf,
  type Parsed,
  replyToOf,
  vcardsOf,
} from './waha-message-parts.js';
import { isCleanId, storableText, wahaSecondsTime } from '../common/storable.js';

export type { IncomingLocation, IncomingMedia, IncomingReplyTo } from './waha-message-parts.js';

/** PostgreSQL's int, the type of chats.unread_count. */
const MAX_INT4 = 2_147_483_647;

/** WAHA ids are strings, except WEBJS's `{ _serialized }` objects in some engine-shaped answers. */
function idOf(value: unknown): unknown {
  return isObject(value) && typeof value['_serialized'] === 'string' ? value['_serialized'] : value;
}

/** A WAHA message as this service keeps it (from a webhook, a sync or n8n's report). */
export interface IncomingMessage {
  wahaId: string;
  chatId: string;
  fromMe: boolean;
  /** The text; a media message's caption. */
  body: string | null;
  hasMedia: boolean;
  timestamp: Date;
  ack: number;
  chatName?: string | null;
  type: MessageType;
  /** The file WAHA describes, when `hasMedia`. */
  media: IncomingMedia | null;
  replyTo: IncomingReplyTo | null;
  /** In a group: who wrote it, and their phone-number id where WAHA gives it. */
  authorId: string | null;
  authorPhoneId: string | null;
  location: IncomingLocation | null;
  vcards: string[] | null;
  /**
   * A chat with a person: the contact's other id (its `@lid` for a `@c.us` chat, or back) when
   * the engine's data names it, so both ids land in one chat (see ContactIdsService).
   */
  altChatId: string | null;
}

/**
 * A WAMessage (a webhook's payload, or an item of WAHA's chat messages API) as a message to
 * store, or why it is not one. Its chat is `to` for our own messages and `from` otherwise.
 * `fallbackTimestampMs` stands in when WAHA gives no timestamp, or one no date can have (as
 * for a missing one: the message is worth more than its exact time). The body is kept as
 * PostgreSQL can hold it (storableText); an id it cannot hold is not a WAHA id. Its parts
 * (type, media, reply, author, location, vCards, the contact's other id) are read as
 * waha-message-parts.ts says.
 */
export function messageOf(payload: unknown, fallbackTimestampMs: number): IncomingMessage | string {
  if (!isObject(payload)) return 'it is not an object';
  const { fromMe, body, hasMedia, timestamp, ack } = payload;
  const id = idOf(payload['id']);
  const from = idOf(payload['from']);
  const to = idOf(payload['to']);
  if (!isCleanId(id, 200)) return '`id` must be a message id';
  if (typeof fromMe !== 'boolean') return '`fromMe` must be a boolean';
  const chatId = fromMe ? to : from;
  if (typeof chatId !== 'string' || !isStorableChatId(chatId)) {
    return `\`${fromMe ? 'to' : 'from'}\` must be a chat id`;
  }
  if (body !== undefined && body !== null && typeof body !== 'string') return '`body` must be a string';
  if (ack !== undefined && ack !== null && !isAck(ack)) return '`ack` must be -1 to 4';
  const data = isObject(payload['_data']) ? payload['_data'] : null;
  const altChatId = altChatIdOf(chatId, fromMe, data);
  const me = fromMe ? from : to;
  const parts = {
    media: mediaOf(payload, data),
    replyTo: replyToOf(payload, { chatId, altChatId, me: typeof me === 'string' ? me : null }),
    author: authorOf(payload, chatId, fromMe, data),
    location: locationOf(payload),
    vcards: vcardsOf(payload),
  };
  for (const part of Object.values(parts) as Parsed<unknown>[]) {
    if ('reason' in part) return part.reason;
  }
  const value = <T>(part: Parsed<T>): T => (part as { value: T }).value;
  const media = value(parts.media);
  const location = value(parts.location);
  const vcards = value(parts.vcards);
  return {
    wahaId: id,
    chatId,
    fromMe,
    body: typeof body === 'string' ? storableText(body) : null,
    hasMedia: hasMedia === true,
    timestamp: wahaSecondsTime(timestamp) ?? new Date(fallbackTimestampMs),
    ack: isAck(ack) ? ack : 0,
    type: messageTypeOf(data, {
      hasMedia: hasMedia === true,
      mimetype: media?.mimetype ?? null,
      location: location !== null,
      vcards: vcards !== null,
    }),
    media,
    replyTo: value(parts.replyTo),
    ...value(parts.author),
    location,
    vcards,
    altChatId,
  };
}

export interface IncomingChat {
  chatId: string;
  name: string | null;
  /** WAHA's unread count when the engine gives one. */
  unreadCount: number | null;
  activityAt: Date | null;
  lastMessage: IncomingMessage | null;
  /** The contact's other id where the engine's chat names it (Baileys' `pnJid` / `lidJid`). */
  altChatId: string | null;
}

/** An item of WAHA's chats overview (ChatSummary) or chats list, or why it is not one. */
export function chatOf(summary: unknown, fallbackTimestampMs: number): IncomingChat | string {
  if (!isObject(summary)) return 'it is not an object';
  const chatId = idOf(summary['id']);
  if (!isStorableChatId(chatId)) return '`id` must be a chat id';
  const name = summary['name'];
  if (name !== undefined && name !== null && typeof name !== 'string') return '`name` must be a string';
  const engineChat = isObject(summary['_chat']) ? summary['_chat'] : summary;
  const unread = engineChat['unreadCount'];
  const activityAt =
    wahaSecondsTime(engineChat['timestamp']) ?? wahaSecondsTime(engineChat['conversationTimestamp']);
  let lastMessage: IncomingMessage | null = null;
  const last = summary['lastMessage'];
  if (isObject(last) && last['id'] !== undefined) {
    const parsed = messageOf(last, fallbackTimestampMs);
    if (typeof parsed === 'string') return `\`lastMessage\`: ${parsed}`;
    lastMessage = parsed;
  }
  return {
    chatId,
    name: typeof name === 'string' && name.length > 0 ? storableText(name, 200) : null,
    // Past the int column's range is not a count WAHA has: unknown, like a missing one.
    unreadCount:
      typeof unread === 'number' && Number.isInteger(unread) && unread >= 0 && unread <= MAX_INT4
        ? unread
        : null,
    activityAt,
    lastMessage,
    altChatId:
      personIdOf(chatId) === chatId ? otherIdOf(chatId, [engineChat['pnJid'], engineChat['lidJid']]) : null,
  };
}

/**
 * A webhook message's time to the millisecond. WAHA gives a message's time in whole seconds and
 * delivers webhooks concurrently and unordered, so two messages of one second were listed in
 * whichever order they happened to be stored (`timestamp desc, id desc`), and a chat's last
 * message could be the earlier of them. WAHA stamps each event's envelope in milliseconds as it
 * emits it, in the order it sees the messages: within the message's own second, those
 * milliseconds break the tie. An envelope of another second (a late event, a clock step) says
 * nothing about the message's time and is not used.
 */
export function withEventMilliseconds(message: IncomingMessage, eventAt: Date): IncomingMessage {
  const seconds = message.timestamp.getTime();
  const event = eventAt.getTime();
  if (seconds % 1000 !== 0 || event - seconds <= 0 || event - seconds >= 1000) return message;
  return { ...message, timestamp: eventAt };
}
