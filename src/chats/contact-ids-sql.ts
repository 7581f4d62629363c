import { type EntityManager } from '@mikro-orm/core';
import { sqlOf } from '../database/sql.js';
import { messageIdentitySql } from '../waha/chat-ids.js';
import { type ChatRecord, type MessageRecord } from './chats.mapper.js';
import { ackAdvancesSql } from './delivery-status.js';
import {
  CHAT_COLUMNS,
  type ChatRow,
  chatRecord,
  MESSAGE_COLUMNS,
  type MessagePartsRow,
  messagePartsSql,
  type MessageRow,
  messageRecord,
  messagePartsFillSql,
  type SessionRef,
  withParts,
} from './message-rows.js';

/**
 * The raw statements of ContactIdsService, in its transaction: a person's chats by either of
 * their ids, and what merging two of them (or two copies of one message) writes.
 */

/**
 * Takes the lock of each id of a person's chats (WAHA's chat ids, `<digits>@c.us`, `@lid`) in
 * the session for the rest of the transaction, in one order, so two links of the same ids wait
 * for each other. Not the message locks' key space (LOCK_MESSAGE_SQL): a chat id is prefixed.
 */
export async function lockChatIds(em: EntityManager, sessionId: string, ids: string[]): Promise<void> {
  for (const id of [...new Set(ids)].sort()) {
    await sqlOf(em).execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [
      `chat-id:${sessionId}:${id}`,
    ]);
  }
}

export interface IdChatRow {
  id: string;
  chat_id: string;
  alt_chat_id: string | null;
  name: string | null;
  unread_count: number;
  created_at: Date | string;
}

/** The session's chats that have one of `ids` as their chat id or other id, oldest first, row-locked. */
export function chatsOfIds(em: EntityManager, ref: SessionRef, ids: string[]): Promise<IdChatRow[]> {
  return sqlOf(em).execute<IdChatRow[]>(
    `select id, chat_id, alt_chat_id, name, unread_count, created_at from chats
     where session_id = ? and tenant_id = ? and (chat_id = any(array[?]::text[]) or alt_chat_id = any(array[?]::text[]))
     order by created_at, id
     for update`,
    [ref.sessionId, ref.tenantId, ids, ids],
  );
}

/**
 * Pairs of the same message in chat `otherPk` and chat `survivorPk` (WAHA named it once under
 * each id of the person): equal identities (messageIdentitySql), one pair per message of
 * `otherPk`, the survivor's oldest copy.
 */
export function twinPairs(
  em: EntityManager,
  otherPk: string,
  survivorPk: string,
): Promise<{ drop: string; keep: string }[]> {
  return sqlOf(em).execute(
    `select distinct on (o.id) o.id as drop, s.id as keep
     from messages o join messages s
       on s.chat_id = ? and s.session_id = o.session_id and s.waha_id is not null
       and ${messageIdentitySql('s.waha_id')} = ${messageIdentitySql('o.waha_id')}
     where o.chat_id = ? and o.waha_id is not null
     order by o.id, s.created_at, s.id`,
    [survivorPk, otherPk],
  );
}

/** What a dropped copy of a message was. */
export interface DroppedCopy {
  id: string;
  chat_id: string;
  from_me: boolean;
}

/**
 * Folds message `drop` into `keep` (two copies of one message) and deletes `drop`: the best ack,
 * what `keep` lacks (body, kind, media, reply, author, location, vCards), the later edit, a
 * revoke; `drop`'s reactions move to `keep` (the later of one sender's two wins), replies quoting
 * `drop` quote `keep`, and `drop`'s media row goes when nothing names it any more. Null when
 * `drop` was already gone.
 */
export async function mergeMessageInto(
  em: EntityManager,
  keep: string,
  drop: string,
): Promise<DroppedCopy | null> {
  const sql = sqlOf(em);
  const [pair] = await sql.execute<
    { keep_waha: string | null; drop_waha: string | null; session_id: string }[]
  >(
    `update messages k set
       ack = case when ${ackAdvancesSql('k.ack', 'd.ack')} then d.ack else k.ack end,
       body = case
         when coalesce(k.revoked_at, d.revoked_at) is not null then null
         when d.edited_at is not null and (k.edited_at is null or d.edited_at > k.edited_at) then d.body
         else coalesce(k.body, d.body) end,
       previous_body = case when d.edited_at is not null and (k.edited_at is null or d.edited_at > k.edited_at)
         then d.previous_body else k.previous_body end,
       edited_at = greatest(k.edited_at, d.edited_at),
       revoked_at = coalesce(k.revoked_at, d.revoked_at),
       ${messagePartsFillSql('k', 'd')}
     from messages d
     where k.id = ? and d.id = ? and d.session_id = k.session_id
     returning k.waha_id as keep_waha, d.waha_id as drop_waha, k.session_id`,
    [keep, drop],
  );
  if (!pair) return null;
  if (pair.drop_waha !== null && pair.keep_waha !== null) {
    await sql.execute(
      `insert into message_reactions (session_id, message_waha_id, sender_id, tenant_id, reaction, from_me, "timestamp", updated_at)
       select session_id, ?, sender_id, tenant_id, reaction, from_me, "timestamp", updated_at
       from message_reactions where session_id = ? and message_waha_id = ?
       on conflict (session_id, message_waha_id, sender_id) do update set
         reaction = excluded.reaction, from_me = excluded.from_me, "timestamp" = excluded."timestamp", updated_at = excluded.updated_at
       where excluded."timestamp" > message_reactions."timestamp"`,
      [pair.keep_waha, pair.session_id, pair.drop_waha],
    );
    await sql.execute(`delete from message_reactions where session_id = ? and message_waha_id = ?`, [
      pair.session_id,
      pair.drop_waha,
    ]);
    await sql.execute(
      `update messages set reply_to_waha_id = ? where session_id = ? and reply_to_waha_id = ?`,
      [pair.keep_waha, pair.session_id, pair.drop_waha],
    );
  }
  const [dropped] = await sql.execute<(DroppedCopy & { media_id: string | null })[]>(
    `delete from messages where id = ? returning id, chat_id, from_me, media_id`,
    [drop],
  );
  if (dropped?.media_id) {
    await sql.execute(
      `delete from media where id = ? and not exists (select 1 from messages where media_id = ?)`,
      [dropped.media_id, dropped.media_id],
    );
  }
  return dropped ?? null;
}

/** Moves every message of chat `fromPk` to chat `toPk`. */
export async function moveMessages(em: EntityManager, fromPk: string, toPk: string): Promise<void> {
  await sqlOf(em).execute(`update messages set chat_id = ? where chat_id = ?`, [toPk, fromPk]);
}

/** Deletes an emptied chat. */
export async function deleteChat(em: EntityManager, chatPk: string): Promise<void> {
  await sqlOf(em).execute(
    `delete from chats where id = ? and not exists (select 1 from messages where chat_id = ?)`,
    [chatPk, chatPk],
  );
}

/**
 * A chat's ids, name and unread count as a link decides them, its last message and activity
 * recomputed from its messages (never earlier than they were), audit columns left alone: the
 * conversation did not change, only where its rows are.
 */
export async function updateLinkedChat(
  em: EntityManager,
  chatPk: string,
  fields: { altChatId: string | null; name: string | null; unreadCount: number },
): Promise<void> {
  await sqlOf(em).execute(
    `update chats set alt_chat_id = ?, name = coalesce(name, ?), unread_count = ?,
       last_message_id = (select id from messages where chat_id = chats.id order by "timestamp" desc, id desc limit 1),
       activity_at = greatest(activity_at, coalesce((select max("timestamp") from messages where chat_id = chats.id), activity_at))
     where id = ?`,
    [fields.altChatId, fields.name, fields.unreadCount, chatPk],
  );
}

/**
 * A chat after one of its messages was dropped as a copy: its last message again, and one unread
 * less for a dropped inbound copy (the copy was counted when it arrived, as news).
 */
export async function refreshAfterDrop(em: EntityManager, chatPk: string, inbound: boolean): Promise<void> {
  await sqlOf(em).execute(
    `update chats set
       unread_count = case when ? and unread_count > 0 then unread_count - 1 else unread_count end,
       last_message_id = (select id from messages where chat_id = chats.id order by "timestamp" desc, id desc limit 1)
     where id = ?`,
    [inbound, chatPk],
  );
}

/** Two rows of one message by their WAHA ids (a message and its copy), row-locked, oldest first. */
export function copiesOf(
  em: EntityManager,
  ref: SessionRef,
  wahaIds: string[],
): Promise<{ id: string; chat_id: string }[]> {
  return sqlOf(em).execute(
    `select id, chat_id from messages where session_id = ? and tenant_id = ? and waha_id = any(array[?]::text[])
     order by created_at, id for update`,
    [ref.sessionId, ref.tenantId, wahaIds],
  );
}

/** A chat and its last message (or the message `messagePk`), whole, to publish. */
export async function chatWithMessage(
  em: EntityManager,
  chatPk: string,
  messagePk?: string,
): Promise<{ chat: ChatRecord; message: MessageRecord | null } | null> {
  const [row] = await sqlOf(em).execute<(ChatRow & { message: (MessageRow & MessagePartsRow) | null })[]>(
    `select ${CHAT_COLUMNS}, (select row_to_json(x) from (
         select ${MESSAGE_COLUMNS}, ${messagePartsSql('m', 'm.session_id')} from messages m
         where m.id = coalesce(?, chats.last_message_id)) x) as message
     from chats where id = ?`,
    [messagePk ?? null, chatPk],
  );
  if (!row) return null;
  return {
    chat: chatRecord(row),
    message: row.message ? withParts(messageRecord(row.message), row.message) : null,
  };
}
