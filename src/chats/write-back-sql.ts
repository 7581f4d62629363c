import { type EntityManager } from '@mikro-orm/core';
import { type Actor } from '../common/audit.js';
import { newRowId } from '../database/row-ids.js';
import { type RunSql } from '../database/prepared-statements.js';
import { sqlOf } from '../database/sql.js';
import { type NewOutboxCommand, outboxCommandInsertSql, outboxCommandValues } from '../outbox/outbox-rows.js';
import { twinWahaId, wahaMessageIdParts } from '../waha/chat-ids.js';
import { MESSAGE_COLUMNS, type MessageRow, type SessionRef } from './message-rows.js';
import { LOCK_MESSAGE_SQL } from './message-sql.js';
import { valuesOf, withNamedParameters } from './sql-parameters.js';

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

/**
 * Serializes the report about our message `messageId` with every write about `wahaId` and about
 * its copy under the chat's other id (twinWahaId, when the chat has one): the locks of both, in
 * sorted order (see LOCK_MESSAGE_SQL).
 */
export async function lockMessage(em: EntityManager, messageId: string, wahaId: string): Promise<void> {
  const parts = wahaMessageIdParts(wahaId);
  const [row] = parts
    ? await sqlOf(em).execute<{ other: string | null }[]>(
        `select (
          (select alt_chat_id from chats where session_id = m.session_id and chat_id = ?)
          union all (select chat_id from chats where session_id = m.session_id and alt_chat_id = ?)
          limit 1) as other
        from messages m where m.id = ?`,
        [parts.chatId, parts.chatId, messageId],
      )
    : [];
  const twin = row?.other ? twinWahaId(wahaId, row.other) : null;
  for (const id of (twin ? [wahaId, twin] : [wahaId]).sort()) {
    await sqlOf(em).execute(LOCK_MESSAGE_SQL, [id]);
  }
}

/**
 * Row-locks, in id order, the chats the SENT report of `wahaId` may change: the message's own
 * chat, the chats of WAHA's copies of it, and the chat WAHA's id names (by either of its ids;
 * a copy under the contact's other id is in that chat too, once the two ids are linked).
 * Taken before any message row, so two reports about one chat, which each end by recomputing
 * the chat's last message, run one after the other: otherwise each held a message row the
 * other's recompute needed (a deadlock), or picked as last a copy the other had just deleted (a
 * foreign-key violation). NO KEY UPDATE: what the chat updates take anyway; inserts of messages
 * into the chat (their FK's KEY SHARE) are not held up.
 */
export async function lockReportChats(
  em: EntityManager,
  messageId: string,
  wahaId: string,
  wahaChatId: string,
): Promise<void> {
  await sqlOf(em).execute(
    `with own as (select chat_id, session_id from messages where id = ?)
    select id from chats where id in (
      select chat_id from own
      union all select chat_id from messages where session_id = (select session_id from own) and waha_id = ?
      union all select id from chats where session_id = (select session_id from own) and (chat_id = ? or alt_chat_id = ?)
    ) order by id for no key update`,
    [messageId, wahaId, wahaChatId, wahaChatId],
  );
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

/**
 * Deletes the session's other messages with `wahaId`, or with its twin under the chat's other id
 * (twinWahaId): WAHA's webhook copies of ours. Their media rows go with them (a copy of a file we
 * sent is no file to fetch). What they were.
 */
export async function deleteCopies(
  em: EntityManager,
  sessionId: string,
  wahaId: string,
  keep: string,
): Promise<{ id: string; ack: number; chat_id: string }[]> {
  const parts = wahaMessageIdParts(wahaId);
  const copies = await sqlOf(em).execute<
    { id: string; ack: number; chat_id: string; media_id: string | null }[]
  >(
    `with other as (
      (select alt_chat_id as id from chats where session_id = ? and chat_id = ?)
      union all (select chat_id from chats where session_id = ? and alt_chat_id = ?)
      limit 1
    )
    delete from messages where session_id = ? and id <> ?
      and waha_id = any(array[?::text, ?::text || (select id from other) || ?::text])
    returning id, ack, chat_id, media_id`,
    [
      sessionId,
      parts?.chatId ?? null,
      sessionId,
      parts?.chatId ?? null,
      sessionId,
      keep,
      wahaId,
      parts ? `${String(parts.fromMe)}_` : null,
      parts ? `_${parts.rest}` : null,
    ],
  );
  const media = copies.flatMap((copy) => (copy.media_id ? [copy.media_id] : []));
  if (media.length > 0) {
    await sqlOf(em).execute(
      `delete from media where id = any(array[?]::text[]) and not exists (select 1 from messages where media_id = media.id)`,
      [media],
    );
  }
  return copies.map(({ id, ack, chat_id }) => ({ id, ack, chat_id }));
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

/** WAHA's ids of a chat row: its chat id, and the contact's other id when it has one. */
export async function wahaChatIdsOf(em: EntityManager, chatPk: string): Promise<string[]> {
  const [row] = await sqlOf(em).execute<{ chat_id: string; alt_chat_id: string | null }[]>(
    `select chat_id, alt_chat_id from chats where id = ?`,
    [chatPk],
  );
  return row!.alt_chat_id ? [row!.chat_id, row!.alt_chat_id] : [row!.chat_id];
}

/**
 * The chat that WAHA's `chatId` names (as its chat id, or as the contact's other id), created
 * (empty, active at `at`) if there is none, row-locked: its row id.
 */
export async function lockedChatPk(
  em: EntityManager,
  ref: SessionRef,
  chatId: string,
  at: Date | string,
  actor: Actor,
  now: Date,
): Promise<string> {
  const [known] = await sqlOf(em).execute<{ id: string }[]>(
    `select id from chats where session_id = ? and alt_chat_id = ? for update`,
    [ref.sessionId, chatId],
  );
  if (known) return known.id;
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
 * it; with `dropIfEmpty`, the chat is deleted when no message is left (true: it was).
 */
export async function refreshLastMessage(
  em: EntityManager,
  chatPk: string,
  options: { dropIfEmpty: boolean },
): Promise<boolean> {
  await sqlOf(em).execute(
    `update chats set
      last_message_id = (select id from messages where chat_id = chats.id order by "timestamp" desc, id desc limit 1),
      activity_at = greatest(activity_at, coalesce((select max("timestamp") from messages where chat_id = chats.id), activity_at))
    where id = ?`,
    [chatPk],
  );
  if (!options.dropIfEmpty) return false;
  const dropped = await sqlOf(em).execute<unknown[]>(
    `delete from chats where id = ? and last_message_id is null returning id`,
    [chatPk],
  );
  return dropped.length > 0;
}

/** A chat of WAHA's chats overview, as a sync stores it. */
export interface SyncedChat {
  chatId: string;
  /** The contact's other id where WAHA's chat names it. */
  altChatId: string | null;
  name: string | null;
  /** WAHA's unread count; null keeps ours. */
  unreadCount: number | null;
  activityAt: Date;
}

/** What upsertSyncedChat did, and what the chat's ids were before (null: it is new). */
export interface SyncedChatOutcome {
  outcome: 'created' | 'updated' | 'unchanged';
  known: { chat_id: string; alt_chat_id: string | null } | null;
  /** A contact.lookup command was written (a new `@lid` chat). */
  lookup: boolean;
}

/** Whether no chat has the other id yet (see the message statement's). */
const ALT_FREE = `(case when {alt} is null then false else
  not exists (select 1 from chats c where c.session_id = {session} and c.chat_id = {alt})
  and not exists (select 1 from chats c where c.session_id = {session} and c.alt_chat_id = {alt}) end)`;

const UPSERT_SYNCED_CHAT = withNamedParameters(
  `with known as (
    (select id, chat_id, alt_chat_id from chats where session_id = {session} and chat_id = {chat})
    union all (select id, chat_id, alt_chat_id from chats where session_id = {session} and alt_chat_id = {chat})
    union all (select id, chat_id, alt_chat_id from chats where session_id = {session} and chat_id = {alt})
    union all (select id, chat_id, alt_chat_id from chats where session_id = {session} and alt_chat_id = {alt})
    limit 1
  ),
  upd as (
    update chats set
      name = coalesce({name}, chats.name),
      unread_count = case when {hasUnread} then {unread} else chats.unread_count end,
      alt_chat_id = case when chats.alt_chat_id is null and {alt} <> chats.chat_id and ${ALT_FREE} then {alt} else chats.alt_chat_id end,
      updated_at = {now},
      updated_by = {actor}
    where chats.id = (select id from known)
      and (({name} is not null and {name} is distinct from chats.name)
        or ({hasUnread} and {unread} <> chats.unread_count)
        or (chats.alt_chat_id is null and {alt} <> chats.chat_id and ${ALT_FREE}))
    returning false as inserted, alt_chat_id
  ),
  ins as (
    insert into chats (id, tenant_id, session_id, chat_id, alt_chat_id, name, unread_count, activity_at, created_at, updated_at, created_by, updated_by)
    select {chatPk}, {tenant}, {session}, {chat}, case when ${ALT_FREE} then {alt} end, {name}, {unread}, {activityAt}, {now}, {now}, {actor}, {actor}
    where not exists (select 1 from known)
    on conflict (session_id, chat_id) do update set
      name = coalesce(excluded.name, chats.name),
      unread_count = case when {hasUnread} then excluded.unread_count else chats.unread_count end,
      updated_at = excluded.updated_at,
      updated_by = excluded.updated_by
    where (excluded.name is not null and excluded.name is distinct from chats.name)
      or ({hasUnread} and excluded.unread_count <> chats.unread_count)
    returning (xmax = 0) as inserted, alt_chat_id
  ),
  lookup as (
    ${outboxCommandInsertSql('ins where ins.inserted and ins.alt_chat_id is null and ?::boolean')}
    returning 1
  )
  select (select row_to_json(k) from known k) as known,
    (select inserted from (select * from upd union all select * from ins) w limit 1) as inserted,
    (select count(*) from lookup)::int as lookups`,
  {
    session: 'varchar',
    tenant: 'uuid',
    chat: 'varchar',
    alt: 'varchar',
    chatPk: 'varchar',
    name: 'text',
    hasUnread: 'boolean',
    unread: 'int',
    activityAt: 'timestamptz',
    now: 'timestamptz',
    actor: 'text',
  },
);

/**
 * Creates the chat (found by either of the contact's ids), or updates its name (when WAHA has
 * one), its unread count (when WAHA gives one) and the contact's other id (when WAHA names it and
 * no chat has it) in place when they differ, never duplicated; a new `@lid` chat without its
 * phone number gets its contact.lookup command, as on the hot path. What happened.
 */
export async function upsertSyncedChat(
  run: RunSql,
  ref: SessionRef,
  chat: SyncedChat,
  lookup: NewOutboxCommand | null,
  actor: Actor,
  now: Date,
): Promise<SyncedChatOutcome> {
  const [row] = await run<{ known: SyncedChatOutcome['known']; inserted: boolean | null; lookups: number }>(
    'upsert-synced-chat',
    UPSERT_SYNCED_CHAT.text,
    [
      ...outboxCommandValues(lookup),
      lookup !== null,
      ...valuesOf(UPSERT_SYNCED_CHAT, {
        session: ref.sessionId,
        tenant: ref.tenantId,
        chat: chat.chatId,
        alt: chat.altChatId,
        chatPk: newRowId(),
        name: chat.name,
        hasUnread: chat.unreadCount !== null,
        unread: chat.unreadCount ?? 0,
        activityAt: chat.activityAt,
        now,
        actor,
      }),
    ],
  );
  const outcome = row!.inserted === null ? 'unchanged' : row!.inserted ? 'created' : 'updated';
  return { outcome, known: row!.known, lookup: row!.lookups > 0 };
}
