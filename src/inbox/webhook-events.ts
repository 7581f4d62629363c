import { type EntityManager } from '@mikro-orm/core';
import { sqlOf } from '../database/sql.js';

/**
 * The one writer of `webhook_events` (see WebhookEvent): the record of every WAHA event this
 * service accepted, so a redelivered event changes nothing twice. Domains record an event in
 * the same transaction — or the same statement, on the message hot path — as its effect, and
 * first: a second delivery finds the row and stops there.
 */

/** A WAHA event as the inbox keys it: WAHA's event id, its name and WAHA's timestamp. */
export interface ReceivedEvent {
  id: string;
  event: string;
  occurredAt: Date;
}

/** Whose event it is: the session's own tenant (WAHA has none). */
export interface EventOwner {
  tenantId: string;
  sessionId: string;
}

/**
 * The INSERT of an event's row, for a statement that composes it (a writable CTE): one row per
 * `from` row, `?` placeholders in the order of webhookEventValues. It returns 1 when the row is
 * new and nothing for a duplicate.
 */
export function webhookEventInsertSql(from = ''): string {
  return `insert into webhook_events (id, tenant_id, session_id, event, occurred_at, received_at)
       select ?, ?, ?, ?, ?, ?${from ? ` from ${from}` : ''}
       on conflict (session_id, id) do nothing returning 1`;
}

/** The values of webhookEventInsertSql's placeholders. */
export function webhookEventValues(
  owner: EventOwner,
  event: ReceivedEvent,
  receivedAt = new Date(),
): unknown[] {
  return [event.id, owner.tenantId, owner.sessionId, event.event, event.occurredAt, receivedAt];
}

/** Records an event in `em`'s transaction: true when it is new, false for a redelivery. */
export async function recordWebhookEvent(
  em: EntityManager,
  owner: EventOwner,
  event: ReceivedEvent,
): Promise<boolean> {
  const [gate] = await sqlOf(em).execute<{ fresh: number }[]>(
    `with ev as (${webhookEventInsertSql()}) select (select count(*) from ev)::int as fresh`,
    webhookEventValues(owner, event),
  );
  return gate!.fresh > 0;
}

/**
 * Whether the session already has a recorded event of the same name that WAHA stamped later than
 * `event`. WAHA delivers unordered: such an event is recorded, so its retries are duplicates, but
 * not applied. Events stamped in the same millisecond are applied in the order they arrive: an
 * event id is no clock (a ULID orders by millisecond only; within one its random part decides), so
 * breaking the tie by id could judge the later of two statuses stale and leave a session stuck in the earlier
 * one. Run under the session's row lock, so two events of one session are judged one after the
 * other.
 */
export async function newerEventRecorded(
  em: EntityManager,
  sessionId: string,
  event: ReceivedEvent,
): Promise<boolean> {
  const [newer] = await sqlOf(em).execute<{ id: string }[]>(
    `select id from webhook_events
     where session_id = ? and event = ? and id <> ?
       and occurred_at > ?
     limit 1`,
    [sessionId, event.event, event.id, event.occurredAt],
  );
  return newer !== undefined;
}
