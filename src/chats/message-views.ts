import { type EntityManager } from '@mikro-orm/core';
import { sqlOf } from '../database/sql.js';
import { Chat } from './chat.entity.js';
import { type ChatRecord, type MessageRecord } from './chats.mapper.js';
import { Message } from './message.entity.js';
import { type ReactionModel } from './message-parts.model.js';
import { mediaViewOf, type MediaViewRow, type SessionRef } from './message-rows.js';

/**
 * The parts of a message that live in other tables (its media row, its reactions), loaded for
 * a list of messages at once: every read of messages (a page, a chat's last messages, a
 * publish) shows them, so they are one query per kind whatever the number of messages, never
 * one per message.
 */

type MediaRow = MediaViewRow & { message_id: string };

interface ReactionRow {
  message_waha_id: string;
  sender_id: string;
  from_me: boolean;
  reaction: string;
  timestamp: Date | string;
}

/**
 * Fills `mediaView` (null when the message has none) and `reactions` (the current ones, oldest
 * first; a removed reaction is kept as '' and not shown) of `records`, in place, and returns
 * them. The records were read under the caller's tenant check; both queries are also bounded by
 * `sessionId`, so a message id or WAHA id of another session never brings its parts. A revoked
 * message shows neither media nor reactions: the sender deleted it for everyone (the rows stay).
 */
export async function loadMessageParts<R extends MessageRecord>(
  em: EntityManager,
  sessionId: string,
  records: R[],
): Promise<R[]> {
  if (records.length === 0) return records;
  const ids = records.map((record) => record.id);
  const wahaIds = [...new Set(records.flatMap((record) => (record.wahaId ? [record.wahaId] : [])))];
  const sql = sqlOf(em);
  const [media, reactions] = await Promise.all([
    sql.execute<MediaRow[]>(
      `select m.id as message_id, md.id, md.state, md.mimetype, md.filename, md.size, md.sha256, md.failure_reason
       from messages m join media md on md.id = m.media_id and md.tenant_id = m.tenant_id
       where m.session_id = ? and m.id = any(array[?]::varchar[]) and m.revoked_at is null`,
      [sessionId, ids],
    ),
    wahaIds.length === 0
      ? Promise.resolve([] as ReactionRow[])
      : sql.execute<ReactionRow[]>(
          `select r.message_waha_id, r.sender_id, r.from_me, r.reaction, r."timestamp"
           from message_reactions r
           where r.session_id = ? and r.message_waha_id = any(array[?]::varchar[]) and r.reaction <> ''
             and not exists (select 1 from messages m where m.session_id = r.session_id
               and m.waha_id = r.message_waha_id and m.revoked_at is not null)
           order by r."timestamp", r.sender_id`,
          [sessionId, wahaIds],
        ),
  ]);
  const mediaOf = new Map(media.map((row) => [row.message_id, mediaViewOf(row)]));
  const reactionsOf = new Map<string, ReactionModel[]>();
  for (const row of reactions) {
    let list = reactionsOf.get(row.message_waha_id);
    if (!list) reactionsOf.set(row.message_waha_id, (list = []));
    list.push({
      senderId: row.sender_id,
      fromMe: row.from_me,
      reaction: row.reaction,
      timestamp: row.timestamp instanceof Date ? row.timestamp : new Date(row.timestamp),
    });
  }
  for (const record of records) {
    record.mediaView = mediaOf.get(record.id) ?? null;
    record.reactions = (record.wahaId && reactionsOf.get(record.wahaId)) || [];
  }
  return records;
}

/** A message and its chat as a publish shows them: every column, with its media and reactions. */
export interface MessageView {
  message: MessageRecord;
  chat: ChatRecord;
}

/**
 * The message of `ref`'s session with WAHA id `wahaId`, with its chat and parts, as
 * whatsappMessageUpserted carries it; null when there is none. For a publish after a change
 * committed (a reaction, an edit, a revoke), read fresh: what was committed, not what the
 * writer's statement returned. Reads under `ref`'s tenant.
 */
export async function loadMessageForPublish(
  em: EntityManager,
  ref: SessionRef,
  wahaId: string,
): Promise<MessageView | null> {
  const fork = em.fork();
  fork.setFilterParams('tenant', { tenantId: ref.tenantId });
  const message = await fork.findOne(
    Message,
    { session: ref.sessionId, wahaId },
    { populate: ['chat'], strategy: 'joined' },
  );
  if (!message) return null;
  const chat: Chat = message.chat;
  const [record] = await loadMessageParts(fork, ref.sessionId, [messageRecordOf(message)]);
  return { message: record!, chat: chatRecordOf(chat) };
}

/** A message entity as a plain record (the entity itself carries relations and ORM state). */
export function messageRecordOf(message: Message): MessageRecord {
  return {
    id: message.id,
    wahaId: message.wahaId,
    fromMe: message.fromMe,
    body: message.body,
    hasMedia: message.hasMedia,
    timestamp: message.timestamp,
    ack: message.ack,
    failureReason: message.failureReason,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    createdBy: message.createdBy,
    type: message.type,
    replyToWahaId: message.replyToWahaId,
    replyToExcerpt: message.replyToExcerpt,
    authorId: message.authorId,
    authorPhoneId: message.authorPhoneId,
    location: message.location,
    vcards: message.vcards,
    editedAt: message.editedAt,
    previousBody: message.previousBody,
    revokedAt: message.revokedAt,
  };
}

/** A chat entity as a plain record. */
export function chatRecordOf(chat: Chat): ChatRecord {
  return {
    id: chat.id,
    chatId: chat.chatId,
    altChatId: chat.altChatId,
    name: chat.name,
    participants: chat.participants,
    participantsFetchedAt: chat.participantsFetchedAt,
    unreadCount: chat.unreadCount,
    activityAt: chat.activityAt,
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
  };
}
