import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { validIdArgument } from '../common/input-checks.js';
import { decodeTimeIdCursor, invalidCursor, type Page, pageSize } from '../common/pagination.js';
import { storedTime } from '../common/storable.js';
import { Chat } from './chat.entity.js';
import { chatModelsOf, chatOf, sessionOf } from './chat-lookups.js';
import { type ChatModel, type MessageModel } from './chats.model.js';
import { toMessageModel } from './chats.mapper.js';
import { type ChatsArgs, type MessagesArgs } from './dto/chats.inputs.js';
import { Message } from './message.entity.js';
import { loadMessageParts, messageRecordOf } from './message-views.js';

/** A (time, id) cursor as the rows' keys, or BAD_USER_INPUT on `field`: never a date the query cannot hold. */
function timeIdCursor(cursor: string, field: string): { at: Date; id: string } {
  const { ms, id } = decodeTimeIdCursor(cursor, field);
  const at = storedTime(ms);
  if (at === null) throw invalidCursor(field);
  return { at, id };
}

/** The dashboard's pages of chats and messages (keyset pagination over their list order). */
@Injectable()
export class ChatPagesService {
  constructor(private readonly em: EntityManager) {}

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
    if (rows.length === 0) await sessionOf(this.em, args.sessionId);
    const page = rows.slice(0, limit);
    return {
      items: await chatModelsOf(this.em, page, args.sessionId),
      hasNextPage: rows.length > limit,
    };
  }

  /** A page of a chat's messages, newest first; `before` pages back in time. */
  async messages(args: MessagesArgs): Promise<Page<MessageModel>> {
    const limit = pageSize(args.first);
    // The arguments are judged before the chat is looked up: a bad cursor is wrong whatever the chat.
    const cursor = args.before ? timeIdCursor(args.before, 'before') : null;
    const chat = await chatOf(this.em, args.sessionId, args.chatId);
    const where: FilterQuery<Message> = { chat: chat.id };
    if (cursor) {
      where.$or = [{ timestamp: { $lt: cursor.at } }, { timestamp: cursor.at, id: { $lt: cursor.id } }];
    }
    const rows = await this.em.find(Message, where, {
      orderBy: { timestamp: 'desc', id: 'desc' },
      limit: limit + 1,
    });
    const page = await loadMessageParts(this.em, args.sessionId, rows.slice(0, limit).map(messageRecordOf));
    return {
      items: page.map((message) => toMessageModel(message, args.sessionId, chat.chatId)),
      hasNextPage: rows.length > limit,
    };
  }
}
