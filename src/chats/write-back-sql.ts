import { type EntityManager } from '@mikro-orm/core';
import { type Actor } from '../common/audit.js';
import { newRowId } from '../database/row-ids.js';
import { sqlOf } from '../database/sql.js';
import { type ChatRecord } from './chats.mapper.js';
import {
  CHAT_COLUMNS,
  type ChatRow,
  chatRecord,
  MESSAGE_COLUMNS,
  type MessageRow,
  type SessionRef,
} from './message-rows.js';
import { LOCK_MESSAGE_SQL } from './message-sql.js';

/**
 * The raw statements of n8n's write-backs that the unit of work cannot say as they are.
 *
 * The SENT report (MessageReportsService.reportSent), in the report's transaction: the copy
 * WAHA's webhook stored under the WAHA id must be deleted before our message takes that id (a
 * flush deletes last), under the same message lock as the hot path's statements (an advisory
 * lock), with the chat got or created under its row lock (INSERT … ON CONFLICT DO UPDATE), and
 * a chat's last message recomputed in SQL without touching its audit columns.
 *
 * The chats overview of a sync (ChatSyncService.upsertChats): an upsert that changes a chat
 * only when WAHA says something new, and tells created, updated and unchanged apart.
 */

export type ReportedMessageRow = MessageRow & { session_id: string; tenant_id: string };

/** Serializes the report with every write about `wahaId` (see LOCK_MESSAGE_SQL). */
export async function lockMessage(em: EntityManager, wahaId: string): Promise<void> {
  await sqlOf(em).execute(LOCK_MESSAGE_SQL, [wahaId]);
}

/** The message with its session, row-locked for the transaction; undefined when there is none. */
export async function messageForUpdate(
  em: EntityManager,
  messageId: string,
): Promise<ReportedMessageRow | undefined> {
  const [row] = await sqlOf(em).execute<ReportedMessageRow[]>(
    `select ${MESSAGE_COLUMNS}, session_id, tenant_id from messages where id = ? for update`,
    [messageId],
  );
  return row;
}

/** Deletes the session's other messages with `wahaId` (WAHA's webhook copies of ours): what they were. */
export function deleteCopies(
  em: EntityManager,
  sessionId: string,
  wahaId: string,
  keep: string,
): Promise<{ id: string; ack: number; chat_id: string }[]> {
  return sqlOf(em).execute(
    `delete from messages where session_id = ? and waha_id = ? and id <> ? returning id, ack, chat_id`,
    [sessionId, wahaId, keep],
  );
}

/** Deletes the acks held for `wahaId`: their acks. */
export function deleteHeldAcks(
  em: EntityManager,
  sessionId: string,
  wahaId: string,
): Promise<{ ack: number }[]> {
  return sqlOf(em).execute(
    `delete from message_ack_holds where session_id = ? and waha_id = ? returning ack`,
    [sessionId, wahaId],
  );
}

/** WAHA's chat id of a chat row. */
export async function wahaChatIdOf(em: EntityManager, chatPk: string): Promise<string> {
  const [row] = await sqlOf(em).execute<{ chat_id: string }[]>(`select chat_id from chats where id = ?`, [
    chatPk,
  ]);
  return row!.chat_id;
}

/** The chat of WAHA's `chatId`, created (empty, active at `at`) if new, row-locked: its row id. */
export async function lockedChatPk(
  em: EntityManager,
  ref: SessionRef,
  chatId: string,
  at: Date | string,
  actor: Actor,
  now: Date,
): Promise<string> {
  const [row] = await sqlOf(em).execute<{ id: string }[]>(
    `insert into chats (id, tenant_id, session_id, chat_id, name, unread_count, activity_at, created_at, updated_at, created_by, updated_by)
    values (?, ?, ?, ?, null, 0, ?, ?, ?, ?, ?)
    on conflict (session_id, chat_id) do update set name = chats.name
    returning id`,
    [newRowId(), ref.tenantId, ref.sessionId, chatId, at, now, now, actor, actor],
  );
  return row!.id;
}

/** Our message, reported sent: WAHA's id, its ack, its chat; a failure reason clears once it is sent. */
export async function markSent(
  em: EntityManager,
  messageId: string,
  sent: { wahaId: string; ack: number; chatPk: string },
  actor: Actor,
  now: Date,
): Promise<MessageRow> {
  const [row] = await sqlOf(em).execute<MessageRow[]>(
    `update messages set waha_id = ?, ack = ?, chat_id = ?, failure_reason = case when ? >= 1 then null else failure_reason end, updated_at = ?, updated_by = ?
    where id = ? returning ${MESSAGE_COLUMNS}`,
    [sent.wahaId, sent.ack, sent.chatPk, sent.ack, now, actor, messageId],
  );
  return row!;
}

/**
 * A chat's last message and activity again, after a message was removed from it or moved to
 * it; with `dropIfEmpty`, the chat is deleted when no message is left.
 */
export async function refreshLastMessage(
  em: EntityManager,
  chatPk: string,
  options: { dropIfEmpty: boolean },
): Promise<void> {
  await sqlOf(em).execute(
    `update chats set
      last_message_id = (select id from messages where chat_id = chats.id order by "timestamp" desc, id desc limit 1),
      activity_at = greatest(activity_at, coalesce((select max("timestamp") from messages where chat_id = chats.id), activity_at))
    where id = ?`,
    [chatPk],
  );
  if (options.dropIfEmpty) {
    await sqlOf(em).execute(`delete from chats where id = ? and last_message_id is null`, [chatPk]);
  }
}

export async function chatRecordOf(em: EntityManager, chatPk: string): Promise<ChatRecord> {
  const [row] = await sqlOf(em).execute<ChatRow[]>(`select ${CHAT_COLUMNS} from chats where id = ?`, [
    chatPk,
  ]);
  return chatRecord(row!);
}

/** A chat of WAHA's chats overview, as a sync stores it. */
export interface SyncedChat {
  chatId: string;
  name: string | null;
  /** WAHA's unread count; null keeps ours. */
  unreadCount: number | null;
  activityAt: Date;
}

/**
 * Creates the chat, or updates its name (when WAHA has one) and its unread count (when WAHA
 * gives one) in place when they differ, never duplicated: what happened.
 */
export async function upsertSyncedChat(
  em: EntityManager,
  ref: SessionRef,
  chat: SyncedChat,
  actor: Actor,
  now: Date,
): Promise<'created' | 'updated' | 'unchanged'> {
  const [row] = await sqlOf(em).execute<{ inserted: boolean }[]>(
    `insert into chats (id, tenant_id, session_id, chat_id, name, unread_count, activity_at, created_at, updated_at, created_by, updated_by)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    on conflict (session_id, chat_id) do update set
      name = coalesce(excluded.name, chats.name),
      unread_count = case when ? then excluded.unread_count else chats.unread_count end,
      updated_at = excluded.updated_at,
      updated_by = excluded.updated_by
    where (excluded.name is not null and excluded.name is distinct from chats.name)
      or (? and excluded.unread_count <> chats.unread_count)
    returning (xmax = 0) as inserted`,
    [
      newRowId(),
      ref.tenantId,
      ref.sessionId,
      chat.chatId,
      chat.name,
      chat.unreadCount ?? 0,
      chat.activityAt,
      now,
      now,
      actor,
      actor,
      chat.unreadCount !== null,
      chat.unreadCount !== null,
    ],
  );
  return row ? (row.inserted ? 'created' : 'updated') : 'unchanged';
}
