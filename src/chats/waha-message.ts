import { isStorableChatId } from './chat-ids.js';
import { isAck } from './delivery-status.js';
import { type IncomingMessage } from './message-store.service.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** WAHA ids are strings, except WEBJS's `{ _serialized }` objects in some engine-shaped answers. */
function idOf(value: unknown): unknown {
  return isObject(value) && typeof value['_serialized'] === 'string' ? value['_serialized'] : value;
}

/**
 * A WAMessage (a webhook's payload, or an item of WAHA's chat messages API) as a message to
 * store, or why it is not one. Its chat is `to` for our own messages and `from` otherwise.
 * `fallbackTimestampMs` stands in when WAHA gives no timestamp.
 */
export function messageOf(payload: unknown, fallbackTimestampMs: number): IncomingMessage | string {
  if (!isObject(payload)) return 'it is not an object';
  const { fromMe, body, hasMedia, timestamp, ack } = payload;
  const id = idOf(payload['id']);
  const from = idOf(payload['from']);
  const to = idOf(payload['to']);
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return '`id` must be a message id';
  if (typeof fromMe !== 'boolean') return '`fromMe` must be a boolean';
  const chatId = fromMe ? to : from;
  if (typeof chatId !== 'string' || !isStorableChatId(chatId)) {
    return `\`${fromMe ? 'to' : 'from'}\` must be a chat id`;
  }
  if (body !== undefined && body !== null && typeof body !== 'string') return '`body` must be a string';
  if (ack !== undefined && ack !== null && !isAck(ack)) return '`ack` must be -1 to 4';
  const seconds =
    typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp > 0 ? timestamp : null;
  return {
    wahaId: id,
    chatId,
    fromMe,
    body: typeof body === 'string' ? body : null,
    hasMedia: hasMedia === true,
    timestamp: new Date(seconds === null ? fallbackTimestampMs : seconds * 1000),
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
  const seconds = [engineChat['timestamp'], engineChat['conversationTimestamp']].find(
    (value): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0,
  );
  let lastMessage: IncomingMessage | null = null;
  const last = summary['lastMessage'];
  if (isObject(last) && last['id'] !== undefined) {
    const parsed = messageOf(last, fallbackTimestampMs);
    if (typeof parsed === 'string') return `\`lastMessage\`: ${parsed}`;
    lastMessage = parsed;
  }
  return {
    chatId,
    name: typeof name === 'string' && name.length > 0 ? name.slice(0, 200) : null,
    unreadCount: typeof unread === 'number' && Number.isInteger(unread) && unread >= 0 ? unread : null,
    activityAt: seconds === undefined ? null : new Date(seconds * 1000),
    lastMessage,
  };
}
