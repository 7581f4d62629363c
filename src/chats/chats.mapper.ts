import { toGlobalId } from '../common/global-ids.js';
import { ackNameOf, deliveryStatusOf } from './delivery-status.js';
import { type ChatModel, MessageDirection, type MessageModel } from './chats.model.js';
import { type MediaModel, type ReactionModel } from './message-parts.model.js';
import { isGroupChatId } from '../waha/chat-ids.js';
import { MessageType } from '../waha/message-types.js';
import { locationModelOf } from './message-parts.js';

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
  type?: MessageType | undefined;
  /** Its media row, when it has one (joined by the reader). */
  mediaView?: MediaModel | null | undefined;
  replyToWahaId?: string | null | undefined;
  replyToExcerpt?: string | null | undefined;
  authorId?: string | null | undefined;
  authorPhoneId?: string | null | undefined;
  location?: Record<string, unknown> | null | undefined;
  vcards?: string[] | null | undefined;
  editedAt?: Date | null | undefined;
  previousBody?: string | null | undefined;
  revokedAt?: Date | null | undefined;
  /** Current reactions (not removed ones), when the reader loaded them. */
  reactions?: ReactionModel[] | undefined;
}

export interface ChatRecord {
  /** Ours (the row's ULID). */
  id: string;
  chatId: string;
  altChatId?: string | null | undefined;
  name?: string | null | undefined;
  participants?: { id: string; phoneId: string | null; role: string | null }[] | null | undefined;
  participantsFetchedAt?: Date | null | undefined;
  unreadCount: number;
  activityAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A media row's view (keyed by the row) as the API shows it: with its global id. */
export function toMediaModel(view: MediaModel): MediaModel {
  return { ...view, id: toGlobalId('WhatsappMedia', view.id) };
}

/** The only way a message row becomes API output: columns not named here are never exposed. */
export function toMessageModel(message: MessageRecord, sessionId: string, chatId: string): MessageModel {
  return {
    id: toGlobalId('WhatsappMessage', message.id),
    wahaId: message.wahaId ?? null,
    localId: toGlobalId('WhatsappMessage', message.id),
    chatId,
    sessionId,
    fromMe: message.fromMe,
    direction: message.fromMe ? MessageDirection.OUTBOUND : MessageDirection.INBOUND,
    body: message.body ?? null,
    hasMedia: message.hasMedia,
    type: message.type ?? MessageType.TEXT,
    caption: message.hasMedia ? (message.body ?? null) : null,
    media: message.mediaView ? toMediaModel(message.mediaView) : null,
    replyTo: message.replyToWahaId
      ? { messageId: message.replyToWahaId, excerpt: message.replyToExcerpt ?? null }
      : null,
    author: message.authorId ? { wahaId: message.authorId, phoneId: message.authorPhoneId ?? null } : null,
    location: locationModelOf(message.location),
    vCards: message.vcards ?? null,
    reactions: message.reactions ?? [],
    editedAt: message.editedAt ?? null,
    previousBody: message.previousBody ?? null,
    revokedAt: message.revokedAt ?? null,
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
    id: toGlobalId('WhatsappChat', chat.id),
    chatId: chat.chatId,
    sessionId,
    chatIds: chat.altChatId ? [chat.chatId, chat.altChatId] : [chat.chatId],
    isGroup: isGroupChatId(chat.chatId),
    name: chat.name ?? null,
    // Stored as WAHA lists them ({id, …}); shown with WAHA's id as `wahaId`, so a cache never
    // takes a member of two groups (with a different role in each) for one object.
    participants: chat.participants?.map((p) => ({ wahaId: p.id, phoneId: p.phoneId, role: p.role })) ?? null,
    participantsFetchedAt: chat.participantsFetchedAt ?? null,
    unreadCount: chat.unreadCount,
    lastMessage: lastMessage ? toMessageModel(lastMessage, sessionId, chat.chatId) : null,
    lastActivityAt: chat.activityAt,
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
  };
}
