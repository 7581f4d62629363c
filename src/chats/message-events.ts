import { EntityManager } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { toGlobalId } from '../common/global-ids.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { type JsonValue, Topic } from '../realtime/topics.js';
import { type Jsonified } from '../whatsapp-sessions/session-payload.js';
import { type ChatModel, type MessageModel } from './chats.model.js';
import { type ChatRecord, type MessageRecord, toChatModel, toMessageModel } from './chats.mapper.js';
import { loadMessageParts } from './message-views.js';

/**
 * What MESSAGE_UPSERTED carries: a message that was stored or whose delivery status moved,
 * with its chat as the chat list shows it (without `lastMessage`, which is this message when
 * `chat.lastActivityAt` equals its timestamp), as JSON.
 */
export interface MessageUpsertedPayload {
  tenantId: string;
  sessionId: string;
  chat: Jsonified<Omit<ChatModel, 'lastMessage'>>;
  message: Jsonified<MessageModel>;
  /**
   * Ids of messages this one replaces: WAHA's webhook can announce a message we sent before n8n
   * reports it SENT; that copy is merged into our message and disappears.
   */
  replaces: string[];
  /**
   * Ids of chats merged into this event's chat (WAHA named one person by two ids, a chat each):
   * gone. Absent in events of a replica from before it existed.
   */
  replacesChats?: string[];
}

export function toMessageUpsertedPayload(
  tenantId: string,
  chat: ChatModel,
  message: MessageModel,
  replaces: string[] = [],
  replacesChats: string[] = [],
): MessageUpsertedPayload {
  const { lastMessage: _lastMessage, ...chatOnly } = chat;
  return JSON.parse(
    JSON.stringify({ tenantId, sessionId: chat.sessionId, chat: chatOnly, message, replaces, replacesChats }),
  ) as MessageUpsertedPayload;
}

const toDate = (value: string | null): Date | null => (value === null ? null : new Date(value));

/** The payload's message back as the API model, for subscription resolvers. */
export function fromMessageUpsertedPayload({ message }: MessageUpsertedPayload): MessageModel {
  return {
    ...message,
    timestamp: new Date(message.timestamp),
    createdAt: new Date(message.createdAt),
    updatedAt: new Date(message.updatedAt),
    editedAt: toDate(message.editedAt),
    revokedAt: toDate(message.revokedAt),
    reactions: message.reactions.map((r) => ({ ...r, timestamp: new Date(r.timestamp) })),
  };
}

/** The payload's chat back as the API model (its lastMessage is the payload's message when newest). */
export function chatOfMessageUpsertedPayload(payload: MessageUpsertedPayload): ChatModel {
  const message = fromMessageUpsertedPayload(payload);
  const lastActivityAt = toDate(payload.chat.lastActivityAt) ?? message.timestamp;
  return {
    ...payload.chat,
    lastActivityAt,
    participantsFetchedAt: toDate(payload.chat.participantsFetchedAt),
    createdAt: new Date(payload.chat.createdAt),
    updatedAt: new Date(payload.chat.updatedAt),
    lastMessage: message.timestamp.getTime() >= lastActivityAt.getTime() ? message : null,
  };
}

/** Rows an event's message or chat took the place of (row keys): copies merged away, chats merged away. */
export interface Replaced {
  messages?: string[];
  chats?: string[];
}

@Injectable()
export class MessageEvents {
  private readonly logger = new Logger(MessageEvents.name);

  /** Each message's last publish, so its events leave in the order they were committed. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly realtime: RealtimeService,
    private readonly em: EntityManager,
  ) {}

  /**
   * Call after the change is committed. Does not wait for the broker: ingestion answers WAHA
   * without waiting for Redis; a failed publish is logged (the row is stored either way).
   */
  published(tenantId: string, chat: ChatModel, message: MessageModel, replaced: Replaced = {}): void {
    const payload = toMessageUpsertedPayload(
      tenantId,
      chat,
      message,
      (replaced.messages ?? []).map((rowId) => toGlobalId('WhatsappMessage', rowId)),
      (replaced.chats ?? []).map((rowId) => toGlobalId('WhatsappChat', rowId)),
    );
    this.realtime
      .publish(Topic.MESSAGE_UPSERTED, tenantId, payload as unknown as JsonValue)
      .catch((error: unknown) =>
        this.logger.error(`Publishing message ${message.localId} failed: ${String(error)}`),
      );
  }

  /**
   * `published` for a message and its chat as the write side stored them, in `ref`'s session.
   * An event replaces the message in a dashboard's cache (Apollo Client merges by id), so it must
   * carry the whole message: a writer that did not read the message's file and reactions (an ack,
   * n8n's SENT or FAILED report) leaves them undefined and they are read here, after commit,
   * rather than sent as "no file, no reactions". Events of one message keep their order.
   */
  publishStored(
    ref: { tenantId: string; sessionId: string },
    chat: ChatRecord,
    message: MessageRecord,
    replaced: Replaced = {},
  ): void {
    const previous = this.inFlight.get(message.id);
    const publish = async (): Promise<void> => {
      if (message.mediaView === undefined || message.reactions === undefined) {
        await loadMessageParts(this.em.fork(), ref.sessionId, [message]);
      }
      this.published(
        ref.tenantId,
        toChatModel(chat, ref.sessionId, null),
        toMessageModel(message, ref.sessionId, chat.chatId),
        replaced,
      );
    };
    const next = (previous ? previous.then(publish) : publish()).catch((error: unknown) =>
      this.logger.error(`Publishing message ${message.id} failed: ${String(error)}`),
    );
    this.inFlight.set(message.id, next);
    void next.finally(() => {
      if (this.inFlight.get(message.id) === next) this.inFlight.delete(message.id);
    });
  }
}
