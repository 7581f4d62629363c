import { EntityManager, type FilterQuery, QueryOrder } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { validIdArgument } from '../common/input-checks.js';
import {
  decodeTimeIdCursor,
  invalidCursor,
  type Page,
  pageOf,
  pageWindow,
  type PageWindow,
  withItems,
} from '../common/pagination.js';
import { storedTime } from '../common/storable.js';
import { Chat } from './chat.entity.js';
import { chatModelsOf, chatOf, sessionOf } from './chat-lookups.js';
import { type ChatModel, type MessageModel } from './chats.model.js';
import { toMessageModel } from './chats.mapper.js';
import { type ChatsArgs, type MessagesArgs } from './dto/chats.inputs.js';
import { Message } from './message.entity.js';
import { loadMessageParts, messageRecordOf } from './message-views.js';

interface TimeIdKey {
  at: Date;
  id: string;
}

/** A (time, id) cursor as the rows' keys, or BAD_USER_INPUT on `field`: never a date the query cannot hold. */
function timeIdCursor(cursor: string, field: string): TimeIdKey {
  const { ms, id } = decodeTimeIdCursor(cursor, field);
  const at = storedTime(ms);
  if (at === null) throw invalidCursor(field);
  return { at, id };
}

/**
 * The keyset conditions and ORDER BY of a window over a list sorted by (time, id) descending:
 * after a cursor is below its key, before it above; paged backward, the rows come ascending
 * (nearest the cursor first) and pageOf turns them back.
 */
function timeIdKeyset<E>(
  window: PageWindow<TimeIdKey>,
  time: string,
  id: string,
): { where: FilterQuery<E>; orderBy: Record<string, QueryOrder> } {
  const side = (key: TimeIdKey, op: '$lt' | '$gt') => ({
    $or: [{ [time]: { [op]: key.at } }, { [time]: key.at, [id]: { [op]: key.id } }],
  });
  const sides = [
    ...(window.after ? [side(window.after, '$lt')] : []),
    ...(window.before ? [side(window.before, '$gt')] : []),
  ];
  const order = window.direction === 'forward' ? QueryOrder.DESC : QueryOrder.ASC;
  return {
    where: (sides.length > 0 ? { $and: sides } : {}) as FilterQuery<E>,
    orderBy: { [time]: order, [id]: order },
  };
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
    const window = pageWindow(args, timeIdCursor);
    const sessionId = validIdArgument(args.sessionId, 'sessionId');
    const keyset = timeIdKeyset<Chat>(window, 'activityAt', 'chatId');
    const rows = await this.em.find(
      Chat,
      { $and: [{ session: { id: sessionId, deletedAt: null } }, keyset.where] },
      { orderBy: keyset.orderBy, limit: window.limit + 1, populate: ['lastMessage'], strategy: 'joined' },
    );
    if (rows.length === 0) await sessionOf(this.em, args.sessionId);
    // The cursor holds the row's sort key, not the API's id of the chat.
    const page = pageOf(window, rows, (chat) => [chat.activityAt.getTime(), chat.chatId]);
    return withItems(page, await chatModelsOf(this.em, page.items, args.sessionId));
  }

  /** A page of a chat's messages, newest first: after a cursor are older ones, before it newer. */
  async messages(args: MessagesArgs): Promise<Page<MessageModel>> {
    // The arguments are judged before the chat is looked up: a bad cursor is wrong whatever the chat.
    const window = pageWindow(args, timeIdCursor);
    const chat = await chatOf(this.em, args.sessionId, args.chatId);
    const keyset = timeIdKeyset<Message>(window, 'timestamp', 'id');
    // From `messages` alone: the chat was found under the tenant filter just now, and its rows
    // are bounded by its id and its tenant here. Under the filter, MikroORM also joins each
    // relation's table to apply their own tenant filters (sessions, chats, media); with those
    // joins the planner could start from the tenant's sessions and read every message of the
    // chat once per session, then sort (31-73 ms for a chat of 1,600 at 100k), where the
    // ordered scan of (chat_id, timestamp, id) stops after the page (see test/bench/README.md).
    const rows = await this.em.find(
      Message,
      { $and: [{ chat: chat.id, tenant: chat.tenant.id }, keyset.where] },
      { orderBy: keyset.orderBy, limit: window.limit + 1, filters: { tenant: false } },
    );
    const page = pageOf(window, rows, (message) => [message.timestamp.getTime(), message.id]);
    const records = await loadMessageParts(this.em, args.sessionId, page.items.map(messageRecordOf));
    return withItems(
      page,
      records.map((message) => toMessageModel(message, args.sessionId, chat.chatId)),
    );
  }
}
