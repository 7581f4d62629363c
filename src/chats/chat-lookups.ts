import { type EntityManager, wrap } from '@mikro-orm/core';
import { DomainError } from '../common/domain-error.js';
import { keyIfGlobal } from '../common/global-ids.js';
import { validIdArgument } from '../common/input-checks.js';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { Chat } from './chat.entity.js';
import { type ChatModel, type MessageModel } from './chats.model.js';
import { toChatModel, toMessageModel } from './chats.mapper.js';
import { findChat } from './contact-ids.service.js';
import { type Message } from './message.entity.js';
import { loadMessageParts, messageRecordOf } from './message-views.js';

/*
 * The lookups every dashboard read and write of chats starts from, in one place: how an id
 * argument names a session or a chat, and how rows become API output. All run under the tenant
 * filter the AccessGuard set, so another tenant's session or chat is simply not found.
 */

/** The tenant's (undeleted) session, else NOT_FOUND; BAD_USER_INPUT on `field` for an id that is none. */
export async function sessionOf(
  em: EntityManager,
  id: string,
  field = 'sessionId',
): Promise<WhatsappSession> {
  validIdArgument(id, field);
  const session = await em.findOne(WhatsappSession, { id, deletedAt: null });
  if (!session) throw DomainError.notFound('WhatsApp session', id);
  return session;
}

/**
 * The session's chat named by `chatId`: its id, or either of WAHA's ids (a backend may know only
 * a phone number's chat id); else NOT_FOUND (another tenant's too).
 */
export async function chatOf(em: EntityManager, sessionId: string, chatId: string): Promise<Chat> {
  validIdArgument(sessionId, 'sessionId');
  validIdArgument(chatId, 'chatId');
  const key = keyIfGlobal('WhatsappChat', chatId);
  const chat = key
    ? await em.findOne(Chat, { id: key, session: { id: sessionId, deletedAt: null } })
    : await findChat(em, sessionId, chatId);
  if (!chat) throw DomainError.notFound('Chat', chatId);
  return chat;
}

/** A message as the API shows it, with its file and reactions. */
export async function messageModelOf(
  em: EntityManager,
  message: Message,
  sessionId: string,
  chatId: string,
): Promise<MessageModel> {
  const [record] = await loadMessageParts(em, sessionId, [messageRecordOf(message)]);
  return toMessageModel(record!, sessionId, chatId);
}

/** Chats as the list shows them, their last messages with files and reactions (one query each for the page). */
export async function chatModelsOf(
  em: EntityManager,
  chats: Chat[],
  sessionId: string,
): Promise<ChatModel[]> {
  const lasts = chats.flatMap((chat) =>
    chat.lastMessage && wrap(chat.lastMessage).isInitialized() ? [messageRecordOf(chat.lastMessage)] : [],
  );
  const records = new Map((await loadMessageParts(em, sessionId, lasts)).map((r) => [r.id, r]));
  return chats.map((chat) =>
    toChatModel(chat, sessionId, chat.lastMessage ? (records.get(chat.lastMessage.id) ?? null) : null),
  );
}
