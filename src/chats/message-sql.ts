import { type Actor } from '../common/audit.js';
import { type RunSql } from '../database/prepared-statements.js';
import { type ReceivedEvent, webhookEventInsertSql, webhookEventValues } from '../inbox/webhook-events.js';
import { mediaInsertSql, mediaValues, type NewMedia } from '../media/media-rows.js';
import { type NewOutboxCommand, outboxCommandInsertSql, outboxCommandValues } from '../outbox/outbox-rows.js';
import { wahaMessageIdParts } from '../waha/chat-ids.js';
import { type IncomingMessage } from '../waha/waha-message.js';
import { ackAdvancesSql } from './delivery-status.js';
import {
  CHAT_COLUMNS,
  chatColumnsOf,
  type ChatRow,
  MESSAGE_COLUMNS,
  type MessagePartsRow,
  messagePartsFillSql,
  messagePartsSql,
  type MessageRow,
  type SessionRef,
} from './message-rows.js';
import { type NamedStatement, valuesOf, withNamedParameters } from './sql-parameters.js';
import { messageReceivedDeliveriesSql } from './webhook-event-sql.js';

/**
 * The raw SQL of the message hot path: WAHA's messages (webhook and sync). Raw because the
 * benchmark (test/bench, webhook-ingestion) shows why: a message is ONE writable CTE in
 * autocommit, a prepared statement (see PreparedStatements), instead of five round trips of
 * the ORM. The rows of other tables are composed from their one definition: the event's dedupe
 * row from the inbox, the message.received and contact.lookup commands from the outbox, the
 * message's file from the media store. Acks, and the sweep after a new message, are in
 * message-ack-sql.ts.
 *
 * Issue 12 made the statement carry a message's parts, its media row, the contact's two ids and
 * a copy under the other id. Measured side by side (webhook-ingestion, 2 shared CPUs, 8 chats):
 * PostgreSQL CPU per event 1.3-1.4 ms before, 1.4-1.7 ms after; server CPU and events/s the same
 * within the machine's noise. The probes only a contact with two ids needs are gated by their
 * parameters (see insertMessageSql): ungated, a cached generic plan scanned the session's messages
 * for them on every event (PostgreSQL CPU past 6 ms per event, growing with the table).
 * Issue 14 added a new inbound message's `message.received` deliveries to the tenant's webhook
 * endpoints (hook): one index probe of the tenant's endpoints when it has none.
 */

/**
 * Serializes every write about one WAHA message id (its webhook copies, its acks, n8n's SENT
 * report, its reactions, edits and revokes) for the rest of the transaction, so an ack that
 * arrives before its message is either applied to the row or held for it, never lost between
 * the two. A writer that may meet the message under the chat's other id too (twinWahaId) takes
 * the lock of both ids, in sorted order.
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
export function gateSql(withEvent: boolean): string {
  return withEvent ? webhookEventInsertSql(MESSAGE_LOCK_FROM) : `select 1 from ${MESSAGE_LOCK_FROM}`;
}

/** The values of gateSql's placeholders: the event's, then the message's lock. */
export function gateValues(
  ref: SessionRef,
  event: ReceivedEvent | undefined,
  wahaId: string,
  now: Date,
): unknown[] {
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
  /** The contact.lookup command of a new `@lid` chat, written only when the chat is created without its phone number. */
  lookup: NewOutboxCommand | null;
  /** Its file's row (media-rows.ts), written only when the message is new or had none. */
  media: NewMedia | null;
  actor: Actor;
  now: Date;
  chatPk: string;
  messagePk: string;
}

/** The chat's ids as the statement's snapshot found it, before this message. */
export interface KnownChat {
  id: string;
  chat_id: string;
  alt_chat_id: string | null;
}

/** The message statement's one row: `fresh` 0 for a redelivery; no `id` when nothing changed. */
export type MessageInsertRow = MessageRow &
  MessagePartsRow & {
    fresh: number;
    inserted: boolean | null;
    chat: (ChatRow & { created: boolean }) | null;
    known: KnownChat | null;
    /** Whether this statement wrote the message's media row (media_view is null then: the caller has it). */
    media_created: number;
  };

/** The named parameters of the message statement and their types. */
const MESSAGE_PARAMETERS = {
  session: 'varchar',
  tenant: 'uuid',
  chat: 'varchar',
  alt: 'varchar',
  chatPk: 'varchar',
  messagePk: 'varchar',
  idHead: 'text',
  idTail: 'text',
  wahaId: 'varchar',
  fromMe: 'boolean',
  body: 'text',
  hasMedia: 'boolean',
  type: 'text',
  mediaPk: 'varchar',
  replyTo: 'varchar',
  replyExcerpt: 'text',
  author: 'varchar',
  authorPhone: 'varchar',
  location: 'jsonb',
  vcards: 'jsonb',
  ts: 'timestamptz',
  ack: 'smallint',
  now: 'timestamptz',
  actor: 'text',
  chatName: 'text',
  unread: 'int',
} as const;
type MessageParameter = keyof typeof MESSAGE_PARAMETERS;

/**
 * The statement of a message (see MessageIngestService.storeMessage), with `$n` placeholders for
 * a prepared statement; one text per variant, built once.
 *
 * The chat is the one whose chat id or other id (alt_chat_id) is the message's chat id, or, for
 * a message that names the contact's other id too, either of those (see ContactIdsService); the
 * lookups run in that order and stop at the first found, so the usual message (a chat found by
 * its own id) costs one index probe as before. Every probe that only a contact with two ids needs
 * is gated by a condition on parameters alone (a one-time filter: PostgreSQL skips the scan), so
 * the usual message never runs it, whatever a cached generic plan chose. A found chat is updated by its row id, so a
 * message racing a merge that deletes the chat fails its foreign key and is stored again, in the
 * survivor. A message already stored under the chat's other id (WAHA sends some messages under
 * both) is the same row (see twinWahaId).
 */
const insertMessageSqls = new Map<boolean, NamedStatement<MessageParameter>>();
function insertMessageSql(withEvent: boolean): NamedStatement<MessageParameter> {
  let sql = insertMessageSqls.get(withEvent);
  if (!sql) {
    const advances = ackAdvancesSql('messages.ack', 'excluded.ack');
    const filled = (column: string) => `(messages.${column} is null and excluded.${column} is not null)`;
    // Whether no chat has the message's other id yet. Two probes of the two unique indexes, run only
    // when the message names one (CASE evaluates its branches in order).
    const altFree = `case when {alt} is null then false else
      not exists (select 1 from chats c where c.session_id = {session} and c.chat_id = {alt})
      and not exists (select 1 from chats c where c.session_id = {session} and c.alt_chat_id = {alt}) end`;
    sql = withNamedParameters(
      `with ev as (${gateSql(withEvent)}),
      known as (
        (select id, chat_id, alt_chat_id from chats where session_id = {session} and chat_id = {chat})
        union all (select id, chat_id, alt_chat_id from chats where session_id = {session} and alt_chat_id = {chat})
        union all (select id, chat_id, alt_chat_id from chats where {alt} is not null and session_id = {session} and chat_id = {alt})
        union all (select id, chat_id, alt_chat_id from chats where {alt} is not null and session_id = {session} and alt_chat_id = {alt})
        limit 1
      ),
      chat_pk as (select coalesce((select id from known), {chatPk}) as id),
      twin as (
        (select waha_id from messages where (select chat_id from known) <> {chat} and session_id = {session}
          and waha_id = {idHead} || (select chat_id from known) || {idTail})
        union all (select waha_id from messages where (select alt_chat_id from known) <> {chat} and session_id = {session}
          and waha_id = {idHead} || (select alt_chat_id from known) || {idTail})
        union all (select waha_id from messages where {alt} is not null and session_id = {session}
          and waha_id = {idHead} || {alt} || {idTail})
        limit 1
      ),
      msg as (
        insert into messages (id, tenant_id, session_id, chat_id, waha_id, from_me, body, has_media, type, media_id,
          reply_to_waha_id, reply_to_excerpt, author_id, author_phone_id, location, vcards, "timestamp", ack,
          created_at, updated_at, created_by, updated_by)
        select {messagePk}, {tenant}, {session}, chat_pk.id, coalesce((select waha_id from twin), {wahaId}), {fromMe},
          {body}, {hasMedia}, {type}, {mediaPk}, {replyTo}, {replyExcerpt}, {author}, {authorPhone}, {location},
          {vcards}, {ts},
          coalesce((select h.ack from message_ack_holds h where h.session_id = {session} and h.waha_id = {wahaId}
            and ${ackAdvancesSql('{ack}', 'h.ack')}), {ack}),
          {now}, {now}, {actor}, {actor}
        from chat_pk where exists (select 1 from ev)
        on conflict (session_id, waha_id) do update set
          ack = case when ${advances} then excluded.ack else messages.ack end,
          body = case when messages.revoked_at is null then coalesce(messages.body, excluded.body) else messages.body end,
          ${messagePartsFillSql('messages', 'excluded')},
          updated_at = excluded.updated_at,
          updated_by = excluded.updated_by
        where ${advances}
          or (${filled('body')} and messages.revoked_at is null)
          or (excluded.has_media and not messages.has_media)
          or (messages.type = 'TEXT' and excluded.type <> 'TEXT')
          or ${filled('media_id')} or ${filled('reply_to_waha_id')} or ${filled('author_id')}
          or ${filled('author_phone_id')} or ${filled('location')} or ${filled('vcards')}
        returning ${MESSAGE_COLUMNS}, (xmax = 0) as inserted
      ),
      md as (
        ${mediaInsertSql('msg where msg.media_id = ?')}
        returning 1
      ),
      hold as (
        delete from message_ack_holds where session_id = {session} and waha_id = {wahaId}
          and exists (select 1 from msg where msg.inserted)
        returning 1
      ),
      ch_upd as (
        update chats set
          name = coalesce(chats.name, {chatName}),
          alt_chat_id = case when chats.alt_chat_id is null and {alt} <> chats.chat_id and (${altFree})
            then {alt} else chats.alt_chat_id end,
          last_message_id = case when m.inserted and (chats.last_message_id is null or chats.activity_at <= {ts})
            then m.id else chats.last_message_id end,
          activity_at = case when m.inserted then greatest(chats.activity_at, {ts}) else chats.activity_at end,
          unread_count = chats.unread_count + case when m.inserted then {unread} else 0 end,
          updated_at = case when m.inserted then {now} else chats.updated_at end,
          updated_by = case when m.inserted then {actor} else chats.updated_by end
        from known k left join msg m on true
        where chats.id = k.id and exists (select 1 from ev)
        returning ${chatColumnsOf('chats')}, false as created
      ),
      ch_ins as (
        insert into chats (id, tenant_id, session_id, chat_id, alt_chat_id, name, unread_count, last_message_id, activity_at, created_at, updated_at, created_by, updated_by)
        select chat_pk.id, {tenant}, {session}, {chat}, case when (${altFree}) then {alt} end, {chatName},
          case when m.inserted then {unread} else 0 end, case when m.inserted then m.id end, {ts}, {now}, {now}, {actor}, {actor}
        from chat_pk left join msg m on true
        where not exists (select 1 from known) and exists (select 1 from ev)
        on conflict (session_id, chat_id) do update set
          name = coalesce(chats.name, excluded.name),
          alt_chat_id = coalesce(chats.alt_chat_id, excluded.alt_chat_id),
          last_message_id = case
            when excluded.last_message_id is not null and (chats.last_message_id is null or chats.activity_at <= excluded.activity_at)
            then excluded.last_message_id else chats.last_message_id end,
          activity_at = case when excluded.last_message_id is not null
            then greatest(chats.activity_at, excluded.activity_at) else chats.activity_at end,
          unread_count = chats.unread_count + excluded.unread_count,
          updated_at = case when excluded.last_message_id is not null then excluded.updated_at else chats.updated_at end,
          updated_by = case when excluded.last_message_id is not null then excluded.updated_by else chats.updated_by end
        returning ${CHAT_COLUMNS}, (xmax = 0) as created
      ),
      cmd as (
        ${outboxCommandInsertSql('msg where msg.inserted and ?::boolean')}
        returning 1
      ),
      lookup as (
        ${outboxCommandInsertSql('ch_ins where ch_ins.created and ch_ins.alt_chat_id is null and ?::boolean')}
        returning 1
      ),
      hook as (
        ${messageReceivedDeliveriesSql(`select {tenant} as tenant_id, {session} as session_id, {chat} as chat_id, msg.id,
          msg.waha_id, msg.type, msg."timestamp" from msg where msg.inserted and {unread} = 1`)}
        returning 1
      )
      select (select count(*) from ev)::int as fresh, msg.*,
        (select row_to_json(c) from (select * from ch_upd union all select * from ch_ins) c limit 1) as chat,
        (select row_to_json(k) from known k) as known,
        (select count(*) from md)::int as media_created,
        ${messagePartsSql('msg', '{session}')}
      from (select 1) as one left join msg on true`,
      MESSAGE_PARAMETERS,
    );
    insertMessageSqls.set(withEvent, sql);
  }
  return sql;
}

/** The values of the message statement's named parameters. */
function namedValues(input: MessageInsert): Record<MessageParameter, unknown> {
  const { ref, message, now, actor } = input;
  const parts = wahaMessageIdParts(message.wahaId);
  return {
    session: ref.sessionId,
    tenant: ref.tenantId,
    chat: message.chatId,
    alt: message.altChatId,
    chatPk: input.chatPk,
    messagePk: input.messagePk,
    // The WAHA id around its chat id, to name the same message under the chat's other id.
    idHead: parts ? `${String(parts.fromMe)}_` : null,
    idTail: parts ? `_${parts.rest}` : null,
    wahaId: message.wahaId,
    fromMe: message.fromMe,
    body: message.body,
    hasMedia: message.hasMedia,
    type: message.type,
    mediaPk: input.media?.id ?? null,
    replyTo: message.replyTo?.wahaId ?? null,
    replyExcerpt: message.replyTo?.excerpt ?? null,
    author: message.authorId,
    authorPhone: message.authorPhoneId,
    location: message.location === null ? null : JSON.stringify(message.location),
    vcards: message.vcards === null ? null : JSON.stringify(message.vcards),
    ts: message.timestamp,
    ack: message.ack,
    now,
    actor,
    chatName: message.chatName ?? null,
    unread: input.news ? 1 : 0,
  };
}

/**
 * Stores a message in one statement: the event's dedupe row under the message's lock, its chat
 * (found by either of its ids, or created, keeping the contact's other id when the message names
 * it and no other chat has it, with its last message and unread count), the message (or, for a
 * WAHA id already stored, its ack moved forward and what was missing filled in) with an ack held
 * for it, the hold's delete, its media row, its message.received command, a new `@lid`
 * chat's contact.lookup command, and a new inbound message's deliveries to the tenant's webhook endpoints. Foreign keys are checked at the end of the statement, so the
 * chat, the message and its media can name each other.
 */
export async function insertMessage(run: RunSql, input: MessageInsert): Promise<MessageInsertRow> {
  const { ref, message, now } = input;
  const withEvent = input.event !== undefined;
  const sql = insertMessageSql(withEvent);
  const [row] = await run<MessageInsertRow>(withEvent ? 'store-message-event' : 'store-message', sql.text, [
    // In the order of the statement's `?`s: the gate, the media row, the two commands.
    ...gateValues(ref, input.event, message.wahaId, now),
    ...mediaValues(input.media),
    input.media?.id ?? null,
    ...outboxCommandValues(input.command),
    input.command !== null,
    ...outboxCommandValues(input.lookup),
    input.lookup !== null,
    ...valuesOf(sql, namedValues(input)),
  ]);
  return row!;
}
