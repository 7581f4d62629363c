import { randomBytes } from 'node:crypto';
import {
  EntityManager,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { type PostgreSqlConnection } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { type Actor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { sqlOf } from '../database/sql.js';
import { type IncomingMessage } from '../waha/waha-message.js';
import { type CommandPayloads, CommandType } from '../outbox/commands.js';
import { OutboxStatus } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { validIdArgument } from '../common/input-checks.js';
import { chatIdOfWahaMessageId } from '../waha/chat-ids.js';
import { type ChatRecord, type MessageRecord, toChatModel, toMessageModel } from './chats.mapper.js';
import { Ack, ackAdvances, ackAdvancesSql } from './delivery-status.js';
import { MessageEvents } from './message-events.js';
import { isCleanId, storableText } from '../common/storable.js';

/**
 * ulid's default source draws one crypto random byte per character (16 calls per id); this one
 * takes them from a pooled crypto buffer: the same randomness, ~100x fewer calls.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = randomBytes(RANDOM_POOL_BYTES);
let randomAt = 0;
function pooledRandom(): number {
  if (randomAt === RANDOM_POOL_BYTES) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomAt = 0;
  }
  return randomPool[randomAt++]! / 256;
}

const ulid = monotonicFactory(pooledRandom);

/** A new row id: a ULID, so ids sort by creation (the tie-break of every list). */
export function newRowId(): string {
  return ulid();
}

/** The session a write belongs to, resolved by the caller (webhook key cache, n8n's session id). */
export interface SessionRef {
  tenantId: string;
  sessionId: string;
}

/** The dedupe key of a WAHA event, with its session's: stored in the same transaction as its effect. */
export interface EventRef {
  id: string;
  event: string;
  /** WAHA's timestamp of the event. */
  occurredAt: Date;
}

/**
 * Where a message comes from. A webhook is news: it counts as unread and inbound messages go
 * to n8n's automations. A sync imports history: neither, and WAHA's own unread count wins.
 */
export type MessageSource = 'webhook' | 'sync';

export type StoreOutcome = 'duplicate' | 'created' | 'updated' | 'unchanged';

export interface SyncResult {
  created: number;
  updated: number;
  unchanged: number;
}

const MESSAGE_COLUMNS = `id, waha_id, from_me, body, has_media, "timestamp", ack, failure_reason, created_at, updated_at, created_by, chat_id`;

interface MessageRow {
  id: string;
  waha_id: string | null;
  from_me: boolean;
  body: string | null;
  has_media: boolean;
  timestamp: Date | string;
  ack: number;
  failure_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  created_by: string;
  chat_id: string;
}

interface ChatRow {
  chat_id: string;
  name: string | null;
  unread_count: number;
  activity_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

function messageRecord(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    wahaId: row.waha_id,
    fromMe: row.from_me,
    body: row.body,
    hasMedia: row.has_media,
    timestamp: asDate(row.timestamp),
    ack: Number(row.ack),
    failureReason: row.failure_reason,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    createdBy: row.created_by,
  };
}

function chatRecord(row: ChatRow): ChatRecord {
  return {
    chatId: row.chat_id,
    name: row.name,
    unreadCount: Number(row.unread_count),
    activityAt: asDate(row.activity_at),
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

/**
 * Serializes every write about one WAHA message id (its webhook copies, its acks, n8n's SENT
 * report) for the rest of the transaction, so an ack that arrives before its message is either
 * applied to the row or held for it, never lost between the two.
 */
const LOCK_MESSAGE_SQL = `select pg_advisory_xact_lock(hashtextextended(?, 0))`;

/**
 * The statement of storeMessage (see there), with `?` placeholders numbered for a prepared
 * statement; one text per variant, built once.
 */
const storeMessageSqls = new Map<boolean, string>();
function storeMessageSql(withEvent: boolean): string {
  let text = storeMessageSqls.get(withEvent);
  if (!text) {
    text = numbered(`with ev as (${eventInsertSql(withEvent)}),
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
        returning chat_id, name, unread_count, activity_at, created_at, updated_at
      ),
      cmd as (
        insert into outbox_commands (id, tenant_id, type, session_id, payload, status, attempts, next_attempt_at, created_at)
        select ?, ?, ?, ?, ?::jsonb, ?, 0, ?, ? from msg where msg.inserted and ?::jsonb is not null
        returning 1
      )
      select (select count(*) from ev)::int as fresh, msg.*,
        (select row_to_json(ch) from ch) as chat
      from (select 1) as one left join msg on true`);
    storeMessageSqls.set(withEvent, text);
  }
  return text;
}

/** An ack held for a message just stored, applied (see sweepHeldAck). */
const SWEEP_HELD_ACK_SQL = numbered(`with hold as (
        delete from message_ack_holds where session_id = ? and waha_id = ? returning ack
      ),
      m as (
        update messages set ack = hold.ack from hold
        where messages.session_id = ? and messages.waha_id = ? and ${ackAdvancesSql('messages.ack', 'hold.ack')}
        returning ${MESSAGE_COLUMNS.replace(/(^|, )/g, '$1messages.')}
      )
      select m.*, (select row_to_json(c) from (select chat_id, name, unread_count, activity_at, created_at, updated_at
        from chats where chats.id = m.chat_id) c) as chat
      from m`);

/** `?` placeholders as `$1, $2, …` (the texts here have no `?` of their own). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * The dedupe row of a webhook event, first, under the message's lock; a sync has only the lock.
 * Keyed by (session, WAHA's event id): each WAHA makes its ids itself, so another session's
 * event with the same id is news, never a duplicate.
 */
function eventInsertSql(withEvent: boolean): string {
  return withEvent
    ? `insert into webhook_events (id, tenant_id, session_id, event, occurred_at, received_at)
       select ?, ?, ?, ?, ?, ? from (select pg_advisory_xact_lock(hashtextextended(?, 0))) as lk
       on conflict (session_id, id) do nothing returning 1`
    : `select 1 from (select pg_advisory_xact_lock(hashtextextended(?, 0))) as lk`;
}

/** The part of `pg`'s pool the hot path uses: named (prepared) statements on one connection. */
interface NativeQueryable {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface NativePool {
  connect(): Promise<NativeQueryable & { release(destroy?: Error): void }>;
}

/** A statement on the connection at hand, prepared under `name`: its rows. */
type RunSql = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;

/** Per connection: how often each statement ran, and the name it is prepared under now. */
const preparedOn = new WeakMap<object, Map<string, { runs: number; name: string | null }>>();

/**
 * The write side of chats and messages, for WAHA's webhooks and n8n's reports. Callers have no
 * tenant (they are WAHA or n8n), so it works in plain SQL across tenants on purpose, and the
 * tenant of every row is the session's own. Every write is idempotent, and events are
 * published only after commit and only when something changed.
 */
@Injectable()
export class MessageStoreService {
  private pool: NativePool | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    private readonly events: MessageEvents,
  ) {}

  /**
   * Stores a message from a webhook or a sync: upserts its chat, inserts the message (or, for
   * a WAHA id already stored, moves its ack forward and fills what was missing), keeps the
   * chat's last message and unread count, applies an ack that came first, and for an inbound
   * webhook message writes its message.received command. With `event`, the event's dedupe row
   * is written first: a redelivery is 'duplicate' and changes nothing.
   *
   * Hot path: ONE statement in autocommit (a writable CTE), so one round trip and one commit,
   * and the chat's row lock is held only for that commit. Foreign keys are checked at the end
   * of the statement, so the chat and the message can name each other.
   */
  async storeMessage(
    ref: SessionRef,
    message: IncomingMessage,
    actor: Actor,
    options: { event?: EventRef; source: MessageSource },
  ): Promise<StoreOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.storeMessageOnce(ref, message, actor, options);
      } catch (error) {
        // The chat was new in our snapshot, and a concurrent event created it first: our message
        // named the chat id we made up, which was never inserted, so the whole statement was
        // refused (nothing stored). Again, with a snapshot that has the chat.
        const constraint = (error as { constraint?: unknown }).constraint;
        if (
          error instanceof ForeignKeyConstraintViolationException &&
          constraint === 'messages_chat_id_foreign' &&
          attempt < 3
        ) {
          continue;
        }
        throw error;
      }
    }
  }

  private async storeMessageOnce(
    ref: SessionRef,
    message: IncomingMessage,
    actor: Actor,
    options: { event?: EventRef; source: MessageSource },
  ): Promise<StoreOutcome> {
    const now = new Date();
    const news = !message.fromMe && options.source === 'webhook';
    const command = news
      ? JSON.stringify({
          chatId: message.chatId,
          messageId: message.wahaId,
          from: message.chatId,
          body: message.body,
          timestamp: message.timestamp.toISOString(),
          hasMedia: message.hasMedia,
        } satisfies CommandPayloads[typeof CommandType.MESSAGE_RECEIVED])
      : null;
    const withEvent = options.event !== undefined;
    // The statement and, when needed, the sweep of a held ack on one connection, released before
    // publishing.
    const { outcome, publish } = await this.onConnection(async (run) => {
      const [row] = await run<MessageRow & { fresh: number; inserted: boolean | null; chat: ChatRow | null }>(
        withEvent ? 'store-message-event' : 'store-message',
        storeMessageSql(withEvent),
        [
          ...this.eventInsertParams(ref, options.event, message.wahaId, now),
          // known, chat_pk
          ref.sessionId,
          message.chatId,
          newRowId(),
          // msg
          newRowId(),
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
          news ? 1 : 0,
          message.timestamp,
          now,
          now,
          actor,
          actor,
          // cmd
          newRowId(),
          ref.tenantId,
          CommandType.MESSAGE_RECEIVED,
          ref.sessionId,
          command,
          OutboxStatus.PENDING,
          now,
          now,
          command,
        ],
      );
      if (row!.fresh === 0) {
        // A redelivery. Its first delivery may have stored the message and stopped before the
        // sweep below (a crash): do it now, then it is done.
        const swept = await this.sweepHeldAck(run, ref, message.wahaId);
        return { outcome: 'duplicate' as const, publish: swept };
      }
      if (!row!.id) return { outcome: 'unchanged' as const, publish: null };
      const stored = messageRecord(row!);
      let chat = chatRecord(row!.chat!);
      if (row!.inserted) {
        const swept = await this.sweepHeldAck(run, ref, message.wahaId);
        if (swept) {
          stored.ack = swept.message.ack;
          stored.updatedAt = swept.message.updatedAt;
          chat = swept.chat;
        }
      }
      return {
        outcome: row!.inserted ? ('created' as const) : ('updated' as const),
        publish: { message: stored, chat },
      };
    });
    if (command !== null && outcome === 'created') this.outbox.notifyCommitted();
    if (publish) this.publish(ref, publish.chat, publish.message);
    return outcome;
  }

  /**
   * After a new message is committed: an ack held for it that our statement's snapshot could
   * not see (storeAck committed it after our snapshot was taken, while we waited for the
   * message's lock) is applied now, so it is never left behind. Usually finds nothing and
   * writes nothing. What it changed is the caller's to publish.
   */
  private async sweepHeldAck(
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
   * A message a dashboard user sends: stored PENDING under our id, its chat upserted and its
   * message.send command written in the same transaction. With an idempotency key already
   * used in the session, the earlier message is returned and nothing is written.
   */
  async storeOutbound(
    ref: SessionRef,
    outbound: { chatId: string; phoneNumber: string | null; text: string; idempotencyKey: string | null },
    actor: Actor,
  ): Promise<{ message: MessageRecord; chatId: string; created: boolean }> {
    const now = new Date();
    const messageId = newRowId();
    let chat: ChatRecord | null = null;
    let message: MessageRecord;
    try {
      message = await this.em.fork().transactional(async (em) => {
        const [inserted] = await sqlOf(em).execute<MessageRow[]>(
          `with ch as (
            insert into chats (id, tenant_id, session_id, chat_id, name, unread_count, activity_at, created_at, updated_at, created_by, updated_by)
            values (?, ?, ?, ?, null, 0, ?, ?, ?, ?, ?)
            on conflict (session_id, chat_id) do update set name = chats.name
            returning id
          )
          insert into messages (id, tenant_id, session_id, chat_id, waha_id, from_me, body, has_media, "timestamp", ack, idempotency_key, created_at, updated_at, created_by, updated_by)
          select ?, ?, ?, ch.id, null, true, ?, false, ?, ?, ?, ?, ?, ?, ? from ch
          returning ${MESSAGE_COLUMNS}`,
          [
            newRowId(),
            ref.tenantId,
            ref.sessionId,
            outbound.chatId,
            now,
            now,
            now,
            actor,
            actor,
            messageId,
            ref.tenantId,
            ref.sessionId,
            outbound.text,
            now,
            Ack.PENDING,
            outbound.idempotencyKey,
            now,
            now,
            actor,
            actor,
          ],
        );
        const [chatRow] = await sqlOf(em).execute<ChatRow[]>(
          `update chats set last_message_id = ?, activity_at = greatest(activity_at, ?), updated_at = ?, updated_by = ?
          where id = ? returning chat_id, name, unread_count, activity_at, created_at, updated_at`,
          [messageId, now, now, actor, inserted!.chat_id],
        );
        chat = chatRecord(chatRow!);
        this.outbox.enqueue(em, CommandType.MESSAGE_SEND, ref, {
          messageId,
          chatId: outbound.chatId,
          phoneNumber: outbound.phoneNumber,
          text: outbound.text,
        });
        return messageRecord(inserted!);
      });
    } catch (error) {
      // A concurrent retry with the same idempotency key stored it first.
      if (error instanceof UniqueConstraintViolationException && outbound.idempotencyKey) {
        const earlier = await this.findByIdempotencyKey(ref.sessionId, outbound.idempotencyKey);
        if (earlier) return { ...earlier, created: false };
      }
      throw error;
    }
    this.outbox.notifyCommitted();
    this.publish(ref, chat!, message);
    return { message, chatId: outbound.chatId, created: true };
  }

  async findByIdempotencyKey(
    sessionId: string,
    idempotencyKey: string,
  ): Promise<{ message: MessageRecord; chatId: string; body: string | null } | null> {
    const [row] = await sqlOf(this.em.fork()).execute<(MessageRow & { chat_waha_id: string })[]>(
      `select ${MESSAGE_COLUMNS.replace(/(^|, )/g, '$1m.')}, c.chat_id as chat_waha_id
        from messages m join chats c on c.id = m.chat_id
        where m.session_id = ? and m.idempotency_key = ?`,
      [sessionId, idempotencyKey],
    );
    return row ? { message: messageRecord(row), chatId: row.chat_waha_id, body: row.body } : null;
  }

  /**
   * Applies WAHA's `message.ack`: moves the message's ack forward only; for an id not stored
   * yet, holds the ack until the message arrives (storeMessage) or n8n reports it (reportSent).
   */
  async storeAck(
    ref: SessionRef,
    wahaId: string,
    ack: number,
    actor: Actor,
    options: { event?: EventRef },
  ): Promise<StoreOutcome> {
    const now = new Date();
    const published: (() => void)[] = [];
    const outcome = await this.em.fork().transactional(async (em) => {
      const [gate] = await sqlOf(em).execute<{ fresh: number }[]>(
        `with ev as (${this.eventInsertSql(options.event)}) select (select count(*) from ev)::int as fresh`,
        this.eventInsertParams(ref, options.event, wahaId, now),
      );
      if (gate!.fresh === 0) return 'duplicate';
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
          (select row_to_json(c) from (select chat_id, name, unread_count, activity_at, created_at, updated_at from chats where chats.id = m.chat_id) c) as chat
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
        const message = messageRecord(row as MessageRow);
        const chat = chatRecord(row!.chat as ChatRow);
        published.push(() => this.publish(ref, chat, message));
        return 'updated';
      }
      return row!.held > 0 ? 'updated' : 'unchanged';
    });
    for (const publish of published) publish();
    return outcome;
  }

  /**
   * n8n sent our message: record WAHA's id so its webhooks find this row. A copy that WAHA's
   * `message.any` already stored under that id is merged into ours (best ack wins) and removed;
   * a held ack is applied. If WAHA's id names another chat than the one we guessed from a phone
   * number, the message moves there. Idempotent; CONFLICT if the message has another WAHA id.
   */
  async reportSent(messageId: string, wahaId: string, actor: Actor): Promise<MessageRecord> {
    validIdArgument(messageId, 'input.messageId');
    const wahaChatId = chatIdOfWahaMessageId(wahaId);
    if (!wahaId.startsWith('true_') || !wahaChatId || !isCleanId(wahaId, 200)) {
      throw DomainError.badInput(
        'input.wahaMessageId',
        "WAHA's message id of a sent message looks like true_<chatId>_<id>",
      );
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.applySent(messageId, wahaId, wahaChatId, actor);
      } catch (error) {
        // A webhook stored the same WAHA id between our check and our update: merge it on a retry.
        if (error instanceof UniqueConstraintViolationException && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async applySent(
    messageId: string,
    wahaId: string,
    wahaChatId: string,
    actor: Actor,
  ): Promise<MessageRecord> {
    const now = new Date();
    const published: (() => void)[] = [];
    const result = await this.em.fork().transactional(async (em) => {
      await sqlOf(em).execute(LOCK_MESSAGE_SQL, [wahaId]);
      const [current] = await sqlOf(em).execute<(MessageRow & { session_id: string; tenant_id: string })[]>(
        `select ${MESSAGE_COLUMNS}, session_id, tenant_id from messages where id = ? for update`,
        [messageId],
      );
      if (!current) throw DomainError.notFound('Message', messageId);
      const ref = { tenantId: current.tenant_id, sessionId: current.session_id };
      if (current.waha_id !== null && current.waha_id !== wahaId) {
        throw new DomainError(
          ErrorCode.CONFLICT,
          `Message ${JSON.stringify(messageId)} was already reported sent as ${JSON.stringify(current.waha_id)}`,
          { field: 'input.wahaMessageId' },
        );
      }
      if (!current.from_me) {
        throw DomainError.badInput(
          'input.messageId',
          'Only a message this service sent can be reported sent',
        );
      }
      let ack = current.ack;
      const replaced: string[] = [];
      if (ackAdvances(ack, Ack.SERVER)) ack = Ack.SERVER;
      if (current.waha_id === null) {
        const copies = await sqlOf(em).execute<{ id: string; ack: number; chat_id: string }[]>(
          `delete from messages where session_id = ? and waha_id = ? and id <> ? returning id, ack, chat_id`,
          [ref.sessionId, wahaId, messageId],
        );
        for (const copy of copies) {
          if (ackAdvances(ack, copy.ack)) ack = copy.ack;
          replaced.push(copy.id);
        }
        const held = await sqlOf(em).execute<{ ack: number }[]>(
          `delete from message_ack_holds where session_id = ? and waha_id = ? returning ack`,
          [ref.sessionId, wahaId],
        );
        for (const hold of held) if (ackAdvances(ack, hold.ack)) ack = hold.ack;
      }
      let chatPk = current.chat_id;
      const [currentChat] = await sqlOf(em).execute<{ chat_id: string }[]>(
        `select chat_id from chats where id = ?`,
        [chatPk],
      );
      const touchedChats = new Set<string>([chatPk]);
      if (currentChat!.chat_id !== wahaChatId) {
        const [moved] = await sqlOf(em).execute<{ id: string }[]>(
          `insert into chats (id, tenant_id, session_id, chat_id, name, unread_count, activity_at, created_at, updated_at, created_by, updated_by)
          values (?, ?, ?, ?, null, 0, ?, ?, ?, ?, ?)
          on conflict (session_id, chat_id) do update set name = chats.name
          returning id`,
          [newRowId(), ref.tenantId, ref.sessionId, wahaChatId, current.timestamp, now, now, actor, actor],
        );
        chatPk = moved!.id;
        touchedChats.add(chatPk);
      }
      const changed =
        current.waha_id !== wahaId ||
        current.ack !== ack ||
        current.chat_id !== chatPk ||
        replaced.length > 0;
      if (!changed) return messageRecord(current);
      const [updated] = await sqlOf(em).execute<MessageRow[]>(
        `update messages set waha_id = ?, ack = ?, chat_id = ?, failure_reason = case when ? >= 1 then null else failure_reason end, updated_at = ?, updated_by = ?
        where id = ? returning ${MESSAGE_COLUMNS}`,
        [wahaId, ack, chatPk, ack, now, actor, messageId],
      );
      for (const pk of touchedChats) {
        // The chat's last message may have been the removed copy, or the message moved away.
        await sqlOf(em).execute(
          `update chats set
            last_message_id = (select id from messages where chat_id = chats.id order by "timestamp" desc, id desc limit 1),
            activity_at = greatest(activity_at, coalesce((select max("timestamp") from messages where chat_id = chats.id), activity_at))
          where id = ?`,
          [pk],
        );
        if (pk !== chatPk) {
          await sqlOf(em).execute(`delete from chats where id = ? and last_message_id is null`, [pk]);
        }
      }
      const chat = await this.chatOf(em, chatPk);
      const record = messageRecord(updated!);
      published.push(() => this.publish(ref, chat, record, replaced));
      return record;
    });
    for (const publish of published) publish();
    return result;
  }

  /** n8n could not send our message: FAILED with the reason, unless it was sent after all. */
  async reportFailed(
    messageId: string,
    failure: { reason: string; wahaStatusCode?: number | null; wahaMessage?: string | null },
    actor: Actor,
  ): Promise<MessageRecord> {
    const upstream = failure.wahaStatusCode
      ? ` (WAHA ${failure.wahaStatusCode}${failure.wahaMessage ? `: ${failure.wahaMessage}` : ''})`
      : failure.wahaMessage
        ? ` (WAHA: ${failure.wahaMessage})`
        : '';
    // WAHA's and n8n's words, shown as they are, as far as PostgreSQL can hold them (storableText).
    const reason = storableText(`${failure.reason}${upstream}`, 2000);
    validIdArgument(messageId, 'input.messageId');
    if (!failure.reason.trim()) throw DomainError.badInput('input.reason', 'A reason is required');
    const now = new Date();
    const published: (() => void)[] = [];
    const result = await this.em.fork().transactional(async (em) => {
      const [current] = await sqlOf(em).execute<(MessageRow & { session_id: string; tenant_id: string })[]>(
        `select ${MESSAGE_COLUMNS}, session_id, tenant_id from messages where id = ? for update`,
        [messageId],
      );
      if (!current) throw DomainError.notFound('Message', messageId);
      if (!current.from_me) {
        throw DomainError.badInput(
          'input.messageId',
          'Only a message this service sent can be reported failed',
        );
      }
      if (
        !ackAdvances(current.ack, Ack.ERROR) &&
        !(current.ack === Ack.ERROR && current.failure_reason !== reason)
      ) {
        return messageRecord(current);
      }
      const [updated] = await sqlOf(em).execute<MessageRow[]>(
        `update messages set ack = ?, failure_reason = ?, updated_at = ?, updated_by = ? where id = ? returning ${MESSAGE_COLUMNS}`,
        [Ack.ERROR, reason, now, actor, messageId],
      );
      const chat = await this.chatOf(em, current.chat_id);
      const record = messageRecord(updated!);
      const ref = { tenantId: current.tenant_id, sessionId: current.session_id };
      published.push(() => this.publish(ref, chat, record));
      return record;
    });
    for (const publish of published) publish();
    return result;
  }

  /**
   * Chats from WAHA's chats overview: created or updated in place (name, unread count), never
   * duplicated; each summary's last message is stored like a synced message.
   */
  async upsertChats(
    ref: SessionRef,
    chats: {
      chatId: string;
      name: string | null;
      unreadCount: number | null;
      activityAt: Date | null;
      lastMessage: IncomingMessage | null;
    }[],
    actor: Actor,
  ): Promise<SyncResult> {
    const result: SyncResult = { created: 0, updated: 0, unchanged: 0 };
    const now = new Date();
    for (const chat of chats) {
      const [row] = await sqlOf(this.em.fork()).execute<{ inserted: boolean }[]>(
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
          chat.activityAt ?? chat.lastMessage?.timestamp ?? now,
          now,
          now,
          actor,
          actor,
          chat.unreadCount !== null,
          chat.unreadCount !== null,
        ],
      );
      let outcome: StoreOutcome = row ? (row.inserted ? 'created' : 'updated') : 'unchanged';
      if (chat.lastMessage) {
        const stored = await this.storeMessage(ref, chat.lastMessage, actor, { source: 'sync' });
        if (outcome === 'unchanged' && stored !== 'unchanged') outcome = 'updated';
      }
      result[outcome === 'created' ? 'created' : outcome === 'updated' ? 'updated' : 'unchanged'] += 1;
    }
    return result;
  }

  /** Messages from WAHA's chat messages API, stored like webhooks' but as history. */
  async upsertMessages(ref: SessionRef, messages: IncomingMessage[], actor: Actor): Promise<SyncResult> {
    const result: SyncResult = { created: 0, updated: 0, unchanged: 0 };
    for (const message of messages) {
      const outcome = await this.storeMessage(ref, message, actor, { source: 'sync' });
      if (outcome === 'created') result.created += 1;
      else if (outcome === 'updated') result.updated += 1;
      else result.unchanged += 1;
    }
    return result;
  }

  private eventInsertSql(event: EventRef | undefined): string {
    return eventInsertSql(event !== undefined);
  }

  private eventInsertParams(
    ref: SessionRef,
    event: EventRef | undefined,
    wahaId: string,
    now: Date,
  ): unknown[] {
    return event
      ? [event.id, ref.tenantId, ref.sessionId, event.event, event.occurredAt, now, wahaId]
      : [wahaId];
  }

  /**
   * Runs hot-path statements on one connection of the ORM's own pool, straight through `pg`
   * (no query building, no entity hydration), as named prepared statements: the big statement
   * is parsed and planned once, not per event (planning it cost ~1 ms of PostgreSQL CPU per
   * event). Autocommit (no transaction): each statement commits on its own. Errors are
   * converted like the ORM's (unique, foreign key, …); a connection that failed other than by
   * an SQL error is dropped.
   *
   * A cached generic plan reflects the table sizes of its first executions: one made on small
   * tables (a fresh database, a hot chat's row versions) kept scanning them as they grew
   * (measured: PostgreSQL CPU per event 0.9 ms rising past 3.5 ms over 14,000 events). So each
   * connection prepares a statement again, under a new name, after 2, 4, 8, … 2^k runs (and
   * deallocates the old one): ~20 re-plans in a million runs, each with the tables as they are.
   */
  private async onConnection<T>(work: (run: RunSql) => Promise<T>): Promise<T> {
    this.pool ??= (await (
      this.em.getConnection() as PostgreSqlConnection
    ).getNativeClient()) as unknown as NativePool;
    const client = await this.pool.connect();
    let statements = preparedOn.get(client);
    if (!statements) preparedOn.set(client, (statements = new Map()));
    let broken: Error | undefined;
    try {
      return await work(async <R>(base: string, text: string, values: unknown[]) => {
        let statement = statements.get(base);
        if (!statement) statements.set(base, (statement = { runs: 0, name: null }));
        statement.runs += 1;
        const name = `${base}-${Math.floor(Math.log2(statement.runs))}`;
        const params = values.map((value) => (value instanceof Date ? value.toISOString() : value));
        try {
          if (statement.name !== name) {
            // Not there if its first run failed: nothing to free then.
            if (statement.name !== null) {
              await client.query({ text: `deallocate "${statement.name}"` }).catch(() => undefined);
            }
            statement.name = name;
          }
          return (await client.query({ name, text, values: params })).rows as R[];
        } catch (error) {
          if (typeof (error as { severity?: unknown }).severity !== 'string') broken = error as Error;
          throw this.em.getDriver().convertException(error as Error);
        }
      });
    } finally {
      client.release(broken);
    }
  }

  private async chatOf(em: EntityManager, chatPk: string): Promise<ChatRecord> {
    const [row] = await sqlOf(em).execute<ChatRow[]>(
      `select chat_id, name, unread_count, activity_at, created_at, updated_at from chats where id = ?`,
      [chatPk],
    );
    return chatRecord(row!);
  }

  private publish(ref: SessionRef, chat: ChatRecord, message: MessageRecord, replaces: string[] = []): void {
    this.events.published(
      ref.tenantId,
      toChatModel(chat, ref.sessionId, null),
      toMessageModel(message, ref.sessionId, chat.chatId),
      replaces,
    );
  }
}
