import { type EntityManager } from '@mikro-orm/core';
import { Media } from '../media/media.entity.js';
import { Chat } from './chat.entity.js';
import { chatModelsOf, messageModelOf } from './chat-lookups.js';
import { type ChatModel, type MessageModel } from './chats.model.js';
import { toMediaModel } from './chats.mapper.js';
import { Message } from './message.entity.js';
import { type MediaModel } from './message-parts.model.js';

/*
 * The chats domain's objects by their row keys, for `node(id)`: each as every other read shows
 * it, or null when the caller's tenant has none (the request's tenant filter hides the others'),
 * including a chat or message of a deleted session, which no list shows either.
 */

export async function chatNode(em: EntityManager, key: string): Promise<ChatModel | null> {
  const chat = await em.findOne(
    Chat,
    { id: key, session: { deletedAt: null } },
    { populate: ['lastMessage'] },
  );
  if (!chat) return null;
  const [model] = await chatModelsOf(em, [chat], chat.session.id);
  return model ?? null;
}

export async function messageNode(em: EntityManager, key: string): Promise<MessageModel | null> {
  const message = await em.findOne(
    Message,
    { id: key, session: { deletedAt: null } },
    { populate: ['chat'], strategy: 'joined' },
  );
  if (!message) return null;
  return messageModelOf(em, message, message.session.id, message.chat.chatId);
}

/** A file, as a message shows it. */
export async function mediaNode(em: EntityManager, key: string): Promise<MediaModel | null> {
  const media = await em.findOne(Media, { id: key });
  if (!media) return null;
  return toMediaModel({
    id: media.id,
    state: media.state,
    mimetype: media.mimetype ?? null,
    filename: media.filename ?? null,
    size: media.size === null || media.size === undefined ? null : Number(media.size),
    sha256: media.sha256 ?? null,
    failureReason: media.failureReason ?? null,
  });
}
