import { ackNameOf, deliveryStatusOf } from './delivery-status.js';
import { type ChatModel, MessageDirection, type MessageModel } from './chats.model.js';

/** A message as stored, whether read by the ORM or returned by the ingestion SQL. */
export interface MessageRecord {
  id: string;
  wahaId?: string | null | undefined;
  fromMe: boolean;
  body?: string | null | undefined;
  hasMedia: boolean;
  timestamp: Date;
  ack: number;
  failureReason?: string | null | undefined;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string;
}

export interface ChatRecord {
  chatId: string;
  name?: string | null | undefined;
  unreadCount: number;
  activityAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The only way a message row becomes API output: columns not named here are never exposed. */
export function toMessageModel(message: MessageRecord, sessionId: string, chatId: string): MessageModel {
  return {
    id: message.wahaId ?? message.id,
    localId: message.id,
    chatId,
    sessionId,
    fromMe: message.fromMe,
    direction: message.fromMe ? MessageDirection.OUTBOUND : MessageDirection.INBOUND,
    body: message.body ?? null,
    hasMedia: message.hasMedia,
    timestamp: message.timestamp,
    ack: message.ack,
    ackName: ackNameOf(message.ack),
    status: deliveryStatusOf(message.ack),
    failureReason: message.failureReason ?? null,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    createdBy: message.createdBy,
  };
}

export function toChatModel(
  chat: ChatRecord,
  sessionId: string,
  lastMessage: MessageRecord | null,
): ChatModel {
  return {
    id: chat.chatId,
    sessionId,
    name: chat.name ?? null,
    unreadCount: chat.unreadCount,
    lastMessage: lastMessage ? toMessageModel(lastMessage, sessionId, chat.chatId) : null,
    lastActivityAt: chat.activityAt,
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
  };
}
