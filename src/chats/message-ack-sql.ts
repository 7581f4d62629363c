import { type EntityManager } from '@mikro-orm/core';
import { type Actor } from '../common/audit.js';
import { type RunSql } from '../database/prepared-statements.js';
import { sqlOf } from '../database/sql.js';
import { type ReceivedEvent } from '../inbox/webhook-events.js';
import { wahaMessageIdParts } from '../waha/chat-ids.js';
import { type ChatRecord, type MessageRecord } from './chats.mapper.js';
import { ackAdvancesSql } from './delivery-status.js';
import { gateSql, gateValues } from './message-sql.js';
import { valuesOf, withNamedParameters } from './sql-parameters.js';
import { messageStatusDeliveriesSql } from './webhook-event-sql.js';
import {
  CHAT_COLUMNS,
  messageColumnsOf,
  type ChatRow,
  chatRecord,
  MESSAGE_COLUMNS,
  type MessagePartsRow,
  messagePartsSql,
  type MessageRow,
  messageRecord,
  type SessionRef,
  withParts,
} from './message-rows.js';

/**
 * The raw SQL of WAHA's acks (`message.ack`): two statements in a transaction, under the
 * message's lock (LOCK_MESSAGE_SQL), so an ack that comes before its message is held for it;
 * and the sweep after a new message, which applies an ack held for it. Each writes the
 * `message.status_changed` deliveries of the ack it applied, in the same statement.
 */

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
 * one forward). The message is the row with WAHA's id, or its copy under its chat's other id
 * (twinWahaId): WAHA may ack under the contact's LID a message stored under its phone number.
 * Under the message's lock (lockMessageForEvent).
 */
export async function applyAck(
  em: EntityManager,
  ref: SessionRef,
  wahaId: string,
  ack: number,
  actor: Actor,
  now: Date,
): Promise<AppliedAck> {
  const parts = wahaMessageIdParts(wahaId);
  const [row] = await sqlOf(em).execute<
    (Partial<MessageRow> &
      MessagePartsRow & { held: number; chat: Partial<ChatRow> | null; known: boolean })[]
  >(
    `with other as (
      (select alt_chat_id as id from chats where session_id = ? and chat_id = ?)
      union all (select chat_id from chats where session_id = ? and alt_chat_id = ?)
      limit 1
    ),
    ids as (select ?::text as own, ?::text || (select id from other) || ?::text as twin),
    m as (
      update messages set ack = ?, updated_at = ?, updated_by = ?
      where session_id = ? and waha_id in ((select own from ids), (select twin from ids)) and ${ackAdvancesSql('ack', '?')}
      returning ${MESSAGE_COLUMNS}
    ),
    known as (select 1 from messages where session_id = ? and waha_id in ((select own from ids), (select twin from ids))),
    hold as (
      insert into message_ack_holds (session_id, waha_id, ack, received_at)
      select ?, ?, ?, ? where not exists (select 1 from known)
      on conflict (session_id, waha_id) do update set ack = excluded.ack, received_at = excluded.received_at
      where ${ackAdvancesSql('message_ack_holds.ack', 'excluded.ack')}
      returning 1
    ),
    hook as (
      ${messageStatusDeliveriesSql(`select ?::uuid as tenant_id, ?::varchar as session_id, m.chat_id as chat_pk, m.id, m.waha_id, m.ack from m`)}
      returning 1
    )
    select m.*, (select count(*) from hold)::int as held, exists (select 1 from known) as known,
      (select row_to_json(c) from (select ${CHAT_COLUMNS} from chats where chats.id = m.chat_id) c) as chat,
      ${messagePartsSql('m', '?')}
    from (select 1) as one left join m on true
    limit 1`,
    [
      ref.sessionId,
      parts?.chatId ?? null,
      ref.sessionId,
      parts?.chatId ?? null,
      wahaId,
      parts ? `${String(parts.fromMe)}_` : null,
      parts ? `_${parts.rest}` : null,
      ack,
      now,
      actor,
      ref.sessionId,
      ack,
      ack,
      ref.sessionId,
      ref.sessionId,
      wahaId,
      ack,
      now,
      ref.tenantId,
      ref.sessionId,
      ref.sessionId,
    ],
  );
  if (row!.id && row!.chat) {
    return {
      message: withParts(messageRecord(row as MessageRow), row!),
      chat: chatRecord(row!.chat as ChatRow),
      held: false,
    };
  }
  return { message: null, chat: null, held: row!.held > 0 };
}

/** An ack held for a message just stored, applied (see sweepAfterInsert): no row when there was none. */
const SWEEP_HOLD = `with hold as (
        delete from message_ack_holds where session_id = {session} and waha_id = {wahaId} returning ack
      ),
      m as (
        update messages set ack = hold.ack from hold
        where messages.session_id = {session} and messages.waha_id = {wahaId} and ${ackAdvancesSql('messages.ack', 'hold.ack')}
        returning ${messageColumnsOf('messages')}
      ),
      hook as (
        ${messageStatusDeliveriesSql(`select {tenant} as tenant_id, {session} as session_id, m.chat_id as chat_pk, m.id, m.waha_id, m.ack from m`)}
        returning 1
      )`;
const SWEEP_SQL = withNamedParameters(
  `${SWEEP_HOLD}
      select row_to_json(m) as swept, (select row_to_json(c) from (select ${CHAT_COLUMNS}
          from chats where chats.id = m.chat_id) c) as chat, null as twin
      from m`,
  { session: 'varchar', wahaId: 'varchar', tenant: 'uuid' },
);
/** SWEEP_SQL, and the message's copies under the chat's other ids: always one row. */
const SWEEP_TWINS_SQL = withNamedParameters(
  `${SWEEP_HOLD}
      select (select row_to_json(m) from m) as swept, (select row_to_json(c) from (select ${CHAT_COLUMNS}
          from chats where chats.id = (select chat_id from m)) c) as chat,
        coalesce(
          (select waha_id from messages where session_id = {session} and waha_id = {twinA}),
          (select waha_id from messages where {twinB} is not null and session_id = {session} and waha_id = {twinB})) as twin`,
  { session: 'varchar', wahaId: 'varchar', twinA: 'varchar', twinB: 'varchar', tenant: 'uuid' },
);

/**
 * SWEEP_SQL for many messages in one statement (a batch's, after its commit, see
 * sweepBatchAfterInsert): a row per held ack it applied.
 */
const SWEEP_MANY_SQL = withNamedParameters(
  `with ids as (
        select * from unnest({sessions}, {wahaIds}, {tenants}) as i(session_id, waha_id, tenant_id)
      ),
      hold as (
        delete from message_ack_holds h using ids
        where h.session_id = ids.session_id and h.waha_id = ids.waha_id
        returning h.session_id, h.waha_id, h.ack, ids.tenant_id
      ),
      m as (
        update messages set ack = hold.ack from hold
        where messages.session_id = hold.session_id and messages.waha_id = hold.waha_id
          and ${ackAdvancesSql('messages.ack', 'hold.ack')}
        returning ${messageColumnsOf('messages')}, messages.session_id, hold.tenant_id
      ),
      hook as (
        ${messageStatusDeliveriesSql(`select m.tenant_id, m.session_id, m.chat_id as chat_pk, m.id, m.waha_id, m.ack from m`)}
        returning 1
      )
      select m.session_id, row_to_json(m) as swept, (select row_to_json(c) from (select ${CHAT_COLUMNS}
          from chats where chats.id = m.chat_id) c) as chat
      from m`,
  { sessions: 'varchar[]', wahaIds: 'varchar[]', tenants: 'uuid[]' },
);

/** The key of a message in sweepBatchAfterInsert's answer. */
export const sweptKey = (sessionId: string, wahaId: string): string => `${sessionId}\n${wahaId}`;

/**
 * sweepAfterInsert's held acks (not the copies under the chat's other id) for a whole batch of
 * messages in one statement, after the batch's commit: the acks it applied, by sweptKey.
 */
export async function sweepBatchAfterInsert(
  run: RunSql,
  messages: { ref: SessionRef; wahaId: string }[],
): Promise<Map<string, { message: MessageRecord; chat: ChatRecord }>> {
  type Row = { session_id: string; swept: MessageRow; chat: ChatRow | null };
  const rows = await run<Row>(
    'sweep-held-acks-of-batch',
    SWEEP_MANY_SQL.text,
    valuesOf(SWEEP_MANY_SQL, {
      sessions: messages.map((m) => m.ref.sessionId),
      wahaIds: messages.map((m) => m.wahaId),
      tenants: messages.map((m) => m.ref.tenantId),
    }),
  );
  const applied = new Map<string, { message: MessageRecord; chat: ChatRecord }>();
  for (const row of rows) {
    if (!row.chat) continue;
    applied.set(sweptKey(row.session_id, row.swept.waha_id ?? ''), {
      message: messageRecord(row.swept),
      chat: chatRecord(row.chat),
    });
  }
  return applied;
}

/** What sweepAfterInsert found. */
export interface Swept {
  /** The held ack it applied, with the message and its chat as they are now. */
  applied: { message: MessageRecord; chat: ChatRecord } | null;
  /** The WAHA id of another row of the same message (its copy under the chat's other id), if one was stored meanwhile. */
  twin: string | null;
}

/**
 * After a new message is committed: an ack held for it that the message statement's snapshot
 * could not see (an ack committed it after that snapshot was taken, while the statement waited
 * for the message's lock) is applied now and its hold deleted, so it is never left behind. And
 * `twins`, the message's WAHA ids under its chat's other id, are looked up: a copy stored by a
 * concurrent statement that this one's snapshot could not see either. Of two such copies each
 * sweep runs after its own commit, so at least one sees the other (MessageIngestService merges
 * them). Usually finds nothing and writes nothing. What it changed is the caller's to publish.
 */
export async function sweepAfterInsert(
  run: RunSql,
  ref: SessionRef,
  wahaId: string,
  /** At most two: the message's ids under the chat's other ids. */
  twins: string[],
): Promise<Swept> {
  type Row = { swept: MessageRow | null; chat: ChatRow | null; twin: string | null };
  // The usual message, in a chat with one id, takes the statement that returns no row.
  const [row] =
    twins.length === 0
      ? await run<Row>(
          'sweep-held-ack',
          SWEEP_SQL.text,
          valuesOf(SWEEP_SQL, { session: ref.sessionId, wahaId, tenant: ref.tenantId }),
        )
      : await run<Row>(
          'sweep-held-ack-and-copies',
          SWEEP_TWINS_SQL.text,
          valuesOf(SWEEP_TWINS_SQL, {
            session: ref.sessionId,
            wahaId,
            twinA: twins[0]!,
            twinB: twins[1] ?? null,
            tenant: ref.tenantId,
          }),
        );
  return {
    applied:
      row?.swept && row.chat ? { message: messageRecord(row.swept), chat: chatRecord(row.chat) } : null,
    twin: row?.twin ?? null,
  };
}
