import { isStorableChatId } from './chat-ids.js';
import { isAck } from './acks.js';
import { isCleanId, storableText, wahaSecondsTime } from '../common/storable.js';

type Json = Record<string, unknown>;

/** PostgreSQL's int, the type of chats.unread_count. */
const MAX_INT4 = 2_147_483_647;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** WAHA ids are strings, except WEBJS's `{ _serialized }` objects in some engine-shaped answers. */
function idOf(value: unknown): unknown {
  return isObject(value) && typeof value['_serialized'] === 'string' ? value['_serialized'] : value;
}

/**
 * A WAMessage (a webhook's payload, or an item of WAHA's chat messages API) as a message to
 * store, or why it is not one. Its chat is `to` for our own messages and `from` otherwise.
 * `fallbackTimestampMs` stands in when WAHA gives no timestamp, or one no date can have (as
 * for a missing one: the message is worth more than its exact time). The body is kept as
 * PostgreSQL can hold it (storableText); an id it cannot hold is not a WAHA id.
 */
/** A WAHA message as this service keeps it (from a webhook, a sync or n8n's report). */
export interface IncomingMessage {
  wahaId: string;
  chatId: string;
  fromMe: boolean;
  body: string | null;
  hasMedia: boolean;
  timestamp: Date;
  ack: number;
  chatName?: string | null;
}

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
  return {
    wahaId: id,
    chatId,
    fromMe,
    body: typeof body === 'string' ? storableText(body) : null,
    hasMedia: hasMedia === true,
    timestamp: wahaSecondsTime(timestamp) ?? new Date(fallbackTimestampMs),
    ack: isAck(ack) ? ack : 0,
  };
}

export interface IncomingChat {
  chatId: string;
  name: string | null;
  /** WAHA's unread count when the engine gives one. */
  unreadCount: number | null;
  activityAt: Date | null;
  lastMessage: IncomingMessage | null;
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
  };
}
