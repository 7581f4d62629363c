import { type EntityManager } from '@mikro-orm/core';
import { type Actor } from '../common/audit.js';
import { numbered, type RunSql } from '../database/prepared-statements.js';
import { sqlOf } from '../database/sql.js';
import { type ReceivedEvent, webhookEventInsertSql, webhookEventValues } from '../inbox/webhook-events.js';
import { type NewOutboxCommand, outboxCommandInsertSql, outboxCommandValues } from '../outbox/outbox-rows.js';
import { type IncomingMessage } from '../waha/waha-message.js';
import { type ChatRecord, type MessageRecord } from './chats.mapper.js';
import { ackAdvancesSql } from './delivery-status.js';
import {
  CHAT_COLUMNS,
  type ChatRow,
  chatRecord,
  MESSAGE_COLUMNS,
  type MessageRow,
  messageColumnsOf,
  messageRecord,
  type SessionRef,
} from './message-rows.js';

/**
 * The raw SQL of the message hot path: WAHA's messages (webhook and sync) and acks. Raw because
 * the benchmark (test/bench, webhook-ingestion) shows why: a message is ONE writable CTE in
 * autocommit, a prepared statement (see PreparedStatements), instead of five round trips of
 * the ORM; an ack is two statements. The rows of other tables are composed from their one
 * definition: the event's dedupe row from the inbox, the message.received command from the
 * outbox.
 */

/**
 * Serializes every write about one WAHA message id (its webhook copies, its acks, n8n's SENT
 * report) for the rest of the transaction, so an ack that arrives before its message is either
 * applied to the row or held for it, never lost between the two.
 */
export const LOCK_MESSAGE_SQL = `select pg_advisory_xact_lock(hashtextextended(?, 0))`;

/** LOCK_MESSAGE_SQL as a `from` item, so the lock is taken before the row of the statement is written. */
const MESSAGE_LOCK_FROM = `(select pg_advisory_xact_lock(hashtextextended(?, 0))) as lk`;

/**
 * The dedupe row of a webhook event, first, under the message's lock; a sync has only the lock.
 * Keyed by (session, WAHA's event id): each WAHA makes its ids itself, so another session's
 * event with the same id is news, never a duplicate. One row when the event is new (or there is
 * none), none for a redelivery.
 */
function gateSql(withEvent: boolean): string {
  return withEvent ? webhookEventInsertSql(MESSAGE_LOCK_FROM) : `select 1 from ${MESSAGE_LOCK_FROM}`;
}

/** The values of gateSql's placeholders: the event's, then the message's lock. */
function gateValues(ref: SessionRef, event: ReceivedEvent | undefined, wahaId: string, now: Date): unknown[] {
  return event ? [...webhookEventValues(ref, event, now), wahaId] : [wahaId];
}

/** What the message statement is given; ids are made by the caller (a retry makes new ones). */
export interface MessageInsert {
  ref: SessionRef;
  event: ReceivedEvent | undefined;
  message: IncomingMessage;
  /** An inbound webhook message: counts as unread. */
  news: boolean;
  /** Its message.received command, written only when the message is new. */
  command: NewOutboxCommand | null;
  actor: Actor;
  now: Date;
  chatPk: string;
  messagePk: string;
}

/** The message statement's one row: `fresh` 0 for a redelivery; no `id` when nothing changed. */
export type MessageInsertRow = MessageRow & { fresh: number; inserted: boolean | null; chat: ChatRow | null };

/**
 * The statement of a message (see MessageIngestService.storeMessage), with `$n` placeholders for
 * a prepared statement; one text per variant, built once.
 */
const insertMessageSqls = new Map<boolean, string>();
function insertMessageSql(withEvent: boolean): string {
  let text = insertMessageSqls.get(withEvent);
  if (!text) {
    text = numbered(`with ev as (${gateSql(withEvent)}),
      known as (select id from chats where session_id = ? and chat_id = ?),
      chat_pk as (select coalesce((select id from known), ?) as id),
      msg as (
        insert into messages (id, tenant_id, session_id, chat_id, waha_id, from_me, body, has_media, "timestamp", ack, created_at, updated_at, created_by, updated_by)
        select ?, ?, ?, chat_pk.id, ?, ?, ?, ?, ?,
          coalesce((select h.ack from message_ack_holds h where h.session_id = ? and h.waha_id = ?
            and ${ackAdvancesSql('?::smallint', 'h.ack')}), ?),
          ?, ?, ?, ?
        from chat_pk where exists (select 1 from ev)
        on conflict (session_id, waha_id) do update set
          ack = case when ${ackAdvancesSql('messages.ack', 'excluded.ack')} then excluded.ack else messages.ack end,
          body = coalesce(messages.body, excluded.body),
          has_media = messages.has_media or excluded.has_media,
          updated_at = excluded.updated_at,
          updated_by = excluded.updated_by
        where ${ackAdvancesSql('messages.ack', 'excluded.ack')}
          or (messages.body is null and excluded.body is not null)
          or (excluded.has_media and not messages.has_media)
        returning ${MESSAGE_COLUMNS}, (xmax = 0) as inserted
      ),
      hold as (
        delete from message_ack_holds where session_id = ? and waha_id = ?
          and exists (select 1 from msg where msg.inserted)
        returning 1
      ),
      ch as (
        insert into chats (id, tenant_id, session_id, chat_id, name, unread_count, last_message_id, activity_at, created_at, updated_at, created_by, updated_by)
        select chat_pk.id, ?, ?, ?, ?, case when m.inserted then ? else 0 end, case when m.inserted then m.id end, ?, ?, ?, ?, ?
        from chat_pk left join msg m on true where exists (select 1 from ev)
        on conflict (session_id, chat_id) do update set
          name = coalesce(chats.name, excluded.name),
          last_message_id = case
            when excluded.last_message_id is not null and (chats.last_message_id is null or chats.activity_at <= excluded.activity_at)
            then excluded.last_message_id else chats.last_message_id end,
          activity_at = case when excluded.last_message_id is not null
            then greatest(chats.activity_at, excluded.activity_at) else chats.activity_at end,
          unread_count = chats.unread_count + excluded.unread_count,
          updated_at = case when excluded.last_message_id is not null then excluded.updated_at else chats.updated_at end,
          updated_by = case when excluded.last_message_id is not null then excluded.updated_by else chats.updated_by end
        returning ${CHAT_COLUMNS}
      ),
      cmd as (
        ${outboxCommandInsertSql('msg where msg.inserted and ?::boolean')}
        returning 1
      )
      select (select count(*) from ev)::int as fresh, msg.*,
        (select row_to_json(ch) from ch) as chat
      from (select 1) as one left join msg on true`);
    insertMessageSqls.set(withEvent, text);
  }
  return text;
}

/**
 * Stores a message in one statement: the event's dedupe row under the message's lock, its chat
 * (upserted with its last message and unread count), the message (or, for a WAHA id already
 * stored, its ack moved forward and what was missing filled in) with an ack held for it, the
 * hold's delete, and its message.received command. Foreign keys are checked at the end of the
 * statement, so the chat and the message can name each other.
 */
export async function insertMessage(run: RunSql, input: MessageInsert): Promise<MessageInsertRow> {
  const { ref, message, actor, now } = input;
  const withEvent = input.event !== undefined;
  const [row] = await run<MessageInsertRow>(
    withEvent ? 'store-message-event' : 'store-message',
    insertMessageSql(withEvent),
    [
      ...gateValues(ref, input.event, message.wahaId, now),
      // known, chat_pk
      ref.sessionId,
      message.chatId,
      input.chatPk,
      // msg
      input.messagePk,
      ref.tenantId,
      ref.sessionId,
      message.wahaId,
      message.fromMe,
      message.body,
      message.hasMedia,
      message.timestamp,
      ref.sessionId,
      message.wahaId,
      message.ack,
      message.ack,
      message.ack,
      now,
      now,
      actor,
      actor,
      // hold
      ref.sessionId,
      message.wahaId,
      // ch
      ref.tenantId,
      ref.sessionId,
      message.chatId,
      message.chatName ?? null,
      input.news ? 1 : 0,
      message.timestamp,
      now,
      now,
      actor,
      actor,
      // cmd
      ...outboxCommandValues(input.command),
      input.command !== null,
    ],
  );
  return row!;
}

/** An ack held for a message just stored, applied (see sweepHeldAck). */
const SWEEP_HELD_ACK_SQL = numbered(`with hold as (
        delete from message_ack_holds where session_id = ? and waha_id = ? returning ack
      ),
      m as (
        update messages set ack = hold.ack from hold
        where messages.session_id = ? and messages.waha_id = ? and ${ackAdvancesSql('messages.ack', 'hold.ack')}
        returning ${messageColumnsOf('messages')}
      )
      select m.*, (select row_to_json(c) from (select ${CHAT_COLUMNS}
        from chats where chats.id = m.chat_id) c) as chat
      from m`);

/**
 * After a new message is committed: an ack held for it that the message statement's snapshot
 * could not see (an ack committed it after that snapshot was taken, while the statement waited
 * for the message's lock) is applied now and its hold deleted, so it is never left behind.
 * Usually finds nothing and writes nothing. What it changed is the caller's to publish.
 */
export async function sweepHeldAck(
  run: RunSql,
  ref: SessionRef,
  wahaId: string,
): Promise<{ message: MessageRecord; chat: ChatRecord } | null> {
  const [row] = await run<MessageRow & { chat: ChatRow }>('sweep-held-ack', SWEEP_HELD_ACK_SQL, [
    ref.sessionId,
    wahaId,
    ref.sessionId,
    wahaId,
  ]);
  if (!row) return null;
  return { message: messageRecord(row), chat: chatRecord(row.chat) };
}

/**
 * Takes the message's lock in `em`'s transaction, with the event's dedupe row when there is one:
 * false for a redelivery.
 */
export async function lockMessageForEvent(
  em: EntityManager,
  ref: SessionRef,
  event: ReceivedEvent | undefined,
  wahaId: string,
  now: Date,
): Promise<boolean> {
  const [gate] = await sqlOf(em).execute<{ fresh: number }[]>(
    `with ev as (${gateSql(event !== undefined)}) select (select count(*) from ev)::int as fresh`,
    gateValues(ref, event, wahaId, now),
  );
  return gate!.fresh > 0;
}

/** What applyAck did: the message it moved forward (with its chat), or whether it held the ack. */
export type AppliedAck =
  { message: MessageRecord; chat: ChatRecord; held: false } | { message: null; chat: null; held: boolean };

/**
 * Moves the message's ack forward only; for an id not stored yet, holds the ack (or moves a held
 * one forward). Under the message's lock (lockMessageForEvent).
 */
export async function applyAck(
  em: EntityManager,
  ref: SessionRef,
  wahaId: string,
  ack: number,
  actor: Actor,
  now: Date,
): Promise<AppliedAck> {
  const [row] = await sqlOf(em).execute<
    (Partial<MessageRow> & { held: number; chat: Partial<ChatRow> | null; known: boolean })[]
  >(
    `with m as (
      update messages set ack = ?, updated_at = ?, updated_by = ?
      where session_id = ? and waha_id = ? and ${ackAdvancesSql('ack', '?')}
      returning ${MESSAGE_COLUMNS}
    ),
    known as (select 1 from messages where session_id = ? and waha_id = ?),
    hold as (
      insert into message_ack_holds (session_id, waha_id, ack, received_at)
      select ?, ?, ?, ? where not exists (select 1 from known)
      on conflict (session_id, waha_id) do update set ack = excluded.ack, received_at = excluded.received_at
      where ${ackAdvancesSql('message_ack_holds.ack', 'excluded.ack')}
      returning 1
    )
    select m.*, (select count(*) from hold)::int as held, exists (select 1 from known) as known,
      (select row_to_json(c) from (select ${CHAT_COLUMNS} from chats where chats.id = m.chat_id) c) as chat
    from (select 1) as one left join m on true`,
    [
      ack,
      now,
      actor,
      ref.sessionId,
      wahaId,
      ack,
      ack,
      ref.sessionId,
      wahaId,
      ref.sessionId,
      wahaId,
      ack,
      now,
    ],
  );
  if (row!.id && row!.chat) {
    return {
      message: messageRecord(row as MessageRow),
      chat: chatRecord(row!.chat as ChatRow),
      held: false,
    };
  }
  return { message: null, chat: null, held: row!.held > 0 };
}
