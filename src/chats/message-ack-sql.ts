import { type EntityManager } from '@mikro-orm/core';
import { type Actor } from '../common/audit.js';
import { sqlOf } from '../database/sql.js';
import { type ReceivedEvent } from '../inbox/webhook-events.js';
import { wahaMessageIdParts } from '../waha/chat-ids.js';
import { type ChatRecord, type MessageRecord } from './chats.mapper.js';
import { ackAdvancesSql } from './delivery-status.js';
import { gateSql, gateValues } from './message-sql.js';
import {
  CHAT_COLUMNS,
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
 * message's lock (LOCK_MESSAGE_SQL), so an ack that comes before its message is held for it.
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
