import { EntityManager, type FilterQuery, UniqueConstraintViolationException, wrap } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type AuthContext } from '../auth/auth-context.js';
import { type Actor, userActor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { decodeTimeIdCursor, invalidCursor, type Page, pageSize } from '../common/pagination.js';
import { CommandType } from '../outbox/commands.js';
import { OutboxCommand, OutboxStatus } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { newRowId } from '../database/row-ids.js';
import { SessionStatus, WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { validIdempotencyKey } from '../whatsapp-sessions/whatsapp-session.validation.js';
import { Chat } from './chat.entity.js';
import { validIdArgument } from '../common/input-checks.js';
import { validRecipient } from './recipient.js';
import { type ChatModel, type MessageModel } from './chats.model.js';
import { toChatModel, toMessageModel } from './chats.mapper.js';
import {
  type ChatRefArgs,
  type ChatsArgs,
  type MessagesArgs,
  type SendWhatsappMessageArgs,
  type SyncWhatsappChatsArgs,
} from './dto/chats.inputs.js';
import { Ack } from '../waha/acks.js';
import { Message } from './message.entity.js';
import { MessageEvents } from './message-events.js';
import { type SessionRef } from './message-rows.js';
import { isStorableText, storedTime } from '../common/storable.js';

export const MAX_TEXT_LENGTH = 4096;
const SYNC_DEFAULT_LIMIT = 20;
const SYNC_MAX_LIMIT = 100;

/** A (time, id) cursor as the rows' keys, or BAD_USER_INPUT on `field`: never a date the query cannot hold. */
function timeIdCursor(cursor: string, field: string): { at: Date; id: string } {
  const { ms, id } = decodeTimeIdCursor(cursor, field);
  const at = storedTime(ms);
  if (at === null) throw invalidCursor(field);
  return { at, id };
}

function syncLimit(value: number | null | undefined, field: string): number {
  if (value === null || value === undefined) return SYNC_DEFAULT_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > SYNC_MAX_LIMIT) {
    throw DomainError.badInput(field, `${field} must be from 1 to ${SYNC_MAX_LIMIT}`);
  }
  return value;
}

/**
 * The tenant's chats and messages. Every read runs under the tenant filter the AccessGuard set
 * from the caller's token, so another tenant's session, chat or message is simply not found.
 */
@Injectable()
export class ChatsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    private readonly events: MessageEvents,
  ) {}

  /**
   * A page of the session's chats, most recent activity first, each with its last message:
   * one query (chats joined with their last messages), plus one to tell "no chats" from "no
   * such session" when the page is empty.
   */
  async chats(args: ChatsArgs): Promise<Page<ChatModel>> {
    const limit = pageSize(args.first);
    const sessionId = validIdArgument(args.sessionId, 'sessionId');
    const where: FilterQuery<Chat> = { session: { id: sessionId, deletedAt: null } };
    if (args.after) {
      const { at: activityAt, id: chatId } = timeIdCursor(args.after, 'after');
      where.$or = [{ activityAt: { $lt: activityAt } }, { activityAt, chatId: { $lt: chatId } }];
    }
    const rows = await this.em.find(Chat, where, {
      orderBy: { activityAt: 'desc', chatId: 'desc' },
      limit: limit + 1,
      populate: ['lastMessage'],
      strategy: 'joined',
    });
    if (rows.length === 0) await this.session(args.sessionId);
    return {
      items: rows.slice(0, limit).map((chat) => this.chatModel(chat, args.sessionId)),
      hasNextPage: rows.length > limit,
    };
  }

  /** A page of a chat's messages, newest first; `before` pages back in time. */
  async messages(args: MessagesArgs): Promise<Page<MessageModel>> {
    const limit = pageSize(args.first);
    // The arguments are judged before the chat is looked up: a bad cursor is wrong whatever the chat.
    const cursor = args.before ? timeIdCursor(args.before, 'before') : null;
    const chat = await this.chat(args.sessionId, args.chatId);
    const where: FilterQuery<Message> = { chat: chat.id };
    if (cursor) {
      where.$or = [{ timestamp: { $lt: cursor.at } }, { timestamp: cursor.at, id: { $lt: cursor.id } }];
    }
    const rows = await this.em.find(Message, where, {
      orderBy: { timestamp: 'desc', id: 'desc' },
      limit: limit + 1,
    });
    return {
      items: rows.slice(0, limit).map((message) => toMessageModel(message, args.sessionId, chat.chatId)),
      hasNextPage: rows.length > limit,
    };
  }

  /**
   * Stores the message PENDING and asks n8n to send it (message.send); n8n reports SENT with
   * WAHA's id or FAILED, and WAHA's acks move it on from there.
   */
  async send(auth: AuthContext, args: SendWhatsappMessageArgs): Promise<MessageModel> {
    const recipient = validRecipient(args.to, 'to');
    if (args.text.trim().length === 0 || args.text.length > MAX_TEXT_LENGTH) {
      throw DomainError.badInput('text', `A message text is 1 to ${MAX_TEXT_LENGTH} characters`);
    }
    // Refused, not repaired as WAHA's are (storableText): the sender is here to fix the text.
    if (!isStorableText(args.text)) {
      throw DomainError.badInput('text', 'A message text cannot contain NUL characters or broken surrogates');
    }
    const idempotencyKey =
      args.idempotencyKey === null || args.idempotencyKey === undefined
        ? null
        : validIdempotencyKey(args.idempotencyKey, 'idempotencyKey');
    const session = await this.session(args.sessionId);
    if (idempotencyKey) {
      const earlier = await this.earlierSend(session.id, idempotencyKey);
      if (earlier) return this.sameSend(earlier, recipient.chatId, args.text, session.id);
    }
    if (session.status !== SessionStatus.WORKING) {
      throw new DomainError(
        ErrorCode.FAILED_PRECONDITION,
        `The session is ${session.status}; sending needs WORKING`,
        { details: { status: session.status, expected: [SessionStatus.WORKING] } },
      );
    }
    const ref = { tenantId: auth.tenantId, sessionId: session.id };
    const outbound = { chatId: recipient.chatId, phoneNumber: recipient.phoneNumber, text: args.text };
    let message: Message;
    try {
      message = await this.storeSend(ref, outbound, idempotencyKey, userActor(auth.userId));
    } catch (error) {
      // A concurrent retry with the same idempotency key stored it first.
      if (error instanceof UniqueConstraintViolationException && idempotencyKey) {
        const earlier = await this.earlierSend(session.id, idempotencyKey);
        if (earlier) return this.sameSend(earlier, recipient.chatId, args.text, session.id);
      }
      throw error;
    }
    return toMessageModel(message, session.id, recipient.chatId);
  }

  /**
   * A message a dashboard user sends: stored PENDING under our id, its chat upserted (and
   * row-locked) with the message as its last, and its message.send command written, in one
   * transaction; published after commit.
   */
  private async storeSend(
    ref: SessionRef,
    outbound: { chatId: string; phoneNumber: string | null; text: string },
    idempotencyKey: string | null,
    actor: Actor,
  ): Promise<Message> {
    const now = new Date();
    const { chat, message } = await this.em.fork().transactional(async (em) => {
      // ON CONFLICT DO UPDATE: an existing chat is locked until commit, and keeps what it has.
      const chat = await em.upsert(
        Chat,
        {
          id: newRowId(),
          tenant: ref.tenantId,
          session: ref.sessionId,
          chatId: outbound.chatId,
          name: null,
          unreadCount: 0,
          activityAt: now,
          createdAt: now,
          updatedAt: now,
          createdBy: actor,
          updatedBy: actor,
        },
        {
          onConflictFields: ['session', 'chatId'],
          onConflictAction: 'merge',
          onConflictMergeFields: ['updatedAt', 'updatedBy'],
        },
      );
      const message = em.create(Message, {
        id: newRowId(),
        tenant: ref.tenantId,
        session: ref.sessionId,
        chat,
        wahaId: null,
        fromMe: true,
        body: outbound.text,
        hasMedia: false,
        timestamp: now,
        ack: Ack.PENDING,
        idempotencyKey,
        createdAt: now,
        updatedAt: now,
        createdBy: actor,
        updatedBy: actor,
      });
      chat.lastMessage = message;
      if (chat.activityAt < now) chat.activityAt = now;
      chat.updatedBy = actor;
      this.outbox.enqueue(em, CommandType.MESSAGE_SEND, ref, {
        messageId: message.id,
        chatId: outbound.chatId,
        phoneNumber: outbound.phoneNumber,
        text: outbound.text,
        replyTo: null,
        media: null,
      });
      return { chat, message };
    });
    this.outbox.notifyCommitted();
    this.events.publishStored(ref, chat, message);
    return message;
  }

  /** The message sent with `idempotencyKey` in the session, with its chat; null when there is none. */
  private earlierSend(sessionId: string, idempotencyKey: string): Promise<Message | null> {
    return this.em
      .fork()
      .findOne(Message, { session: sessionId, idempotencyKey }, { populate: ['chat'], strategy: 'joined' });
  }

  /** Sets the chat's unread count to 0; marking a read chat read changes nothing. */
  async markRead(auth: AuthContext, args: ChatRefArgs): Promise<ChatModel> {
    const chat = await this.chat(args.sessionId, args.chatId);
    if (chat.unreadCount !== 0) {
      chat.unreadCount = 0;
      chat.updatedBy = userActor(auth.userId);
      await this.em.flush();
    }
    await this.em.populate(chat, ['lastMessage']);
    return this.chatModel(chat, args.sessionId);
  }

  /**
   * Asks n8n to import WAHA's chats overview and recent messages (chats.sync) into the same
   * rows. True when a sync was queued; false when one is already waiting to run.
   */
  async sync(auth: AuthContext, args: SyncWhatsappChatsArgs): Promise<boolean> {
    const chatsLimit = syncLimit(args.chatsLimit, 'chatsLimit');
    const messagesLimit = syncLimit(args.messagesLimit, 'messagesLimit');
    const session = await this.session(args.sessionId);
    if (session.status !== SessionStatus.WORKING) {
      throw new DomainError(
        ErrorCode.FAILED_PRECONDITION,
        `The session is ${session.status}; WAHA's chats need WORKING`,
        { details: { status: session.status, expected: [SessionStatus.WORKING] } },
      );
    }
    const waiting = await this.em.count(OutboxCommand, {
      sessionId: session.id,
      type: CommandType.CHATS_SYNC,
      status: OutboxStatus.PENDING,
    });
    if (waiting > 0) return false;
    this.outbox.enqueue(
      this.em,
      CommandType.CHATS_SYNC,
      { tenantId: auth.tenantId, sessionId: session.id },
      { chatsLimit, messagesLimit },
    );
    await this.em.flush();
    this.outbox.notifyCommitted();
    return true;
  }

  private sameSend(earlier: Message, chatId: string, text: string, sessionId: string): MessageModel {
    if (earlier.chat.chatId !== chatId || earlier.body !== text) {
      throw new DomainError(ErrorCode.CONFLICT, 'This idempotency key was used for a different message', {
        field: 'idempotencyKey',
      });
    }
    return toMessageModel(earlier, sessionId, earlier.chat.chatId);
  }

  private async session(id: string): Promise<WhatsappSession> {
    validIdArgument(id, 'sessionId');
    const session = await this.em.findOne(WhatsappSession, { id, deletedAt: null });
    if (!session) throw DomainError.notFound('WhatsApp session', id);
    return session;
  }

  private async chat(sessionId: string, chatId: string): Promise<Chat> {
    validIdArgument(sessionId, 'sessionId');
    validIdArgument(chatId, 'chatId');
    const chat = await this.em.findOne(Chat, { session: { id: sessionId, deletedAt: null }, chatId });
    if (!chat) throw DomainError.notFound('Chat', chatId);
    return chat;
  }

  private chatModel(chat: Chat, sessionId: string): ChatModel {
    const last = chat.lastMessage && wrap(chat.lastMessage).isInitialized() ? chat.lastMessage : null;
    return toChatModel(chat, sessionId, last);
  }
}
