import { type EntityManager } from '@mikro-orm/core';
import { sqlOf } from '../database/sql.js';
import { CommandType } from '../outbox/commands.js';
import { OutboxStatus } from '../outbox/outbox-command.entity.js';
import {
  type NewOutboxCommand,
  newOutboxCommand,
  outboxCommandInsertSql,
  outboxCommandValues,
} from '../outbox/outbox-rows.js';
import { SessionStatus } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { ReconciliationTrigger } from './session-reconciliation.entity.js';

/**
 * The statements of the ReconciliationWorker: across tenants on purpose (every session is
 * reconciled), each command in its session's own tenant. Times are PostgreSQL's (`now()`: the
 * transaction's start), so replicas whose clocks differ still agree on what is due.
 */

export interface ReconciliationTiming {
  intervalMs: number;
  minGapMs: number;
}

export interface QueuedReconciliation {
  sessionId: string;
  tenantId: string;
  trigger: ReconciliationTrigger;
  command: NewOutboxCommand<typeof CommandType.CHATS_SYNC>;
}

const WORKING = `s.status = '${SessionStatus.WORKING}' and s.deleted_at is null`;

/**
 * Gives WORKING sessions without a row theirs (at most `limit`), its first periodic
 * reconciliation at a random point of the next interval: sessions seen together (every one,
 * right after a deploy that turns reconciliation on) do not all sync at once. Idempotent across
 * replicas: the row a replica wrote first stays.
 */
export async function scheduleNewSessions(
  em: EntityManager,
  timing: ReconciliationTiming,
  limit: number,
): Promise<number> {
  const rows = await sqlOf(em).execute<{ session_id: string }[]>(
    `insert into session_reconciliations (session_id, tenant_id, first_due_at, created_at)
     select s.id, s.tenant_id, now() + make_interval(secs => random() * ?::double precision), now()
       from whatsapp_sessions s
      where ${WORKING}
        and not exists (select 1 from session_reconciliations r where r.session_id = s.id)
      order by s.id
      limit ?
     on conflict (session_id) do nothing
     returning session_id`,
    [timing.intervalMs / 1000, limit],
  );
  return rows.length;
}

/**
 * Claims up to `limit` sessions due for reconciliation and queues a chats.sync for each, in
 * `em`'s transaction (so a claim is never committed without its command, nor the other way).
 * Due: WORKING and not deleted; no chats.sync of the session waiting in the outbox (one is
 * already on its way); none queued by us within `minGapMs`; and either a reconnect (WORKING
 * began after the last one, or after the row was written) or `intervalMs` since the last one
 * (the first: at first_due_at). Rows are locked `for update skip locked` and re-checked after
 * a concurrent claim committed, so two replicas never queue one session's sync twice.
 */
export async function claimDueSessions(
  em: EntityManager,
  timing: ReconciliationTiming,
  payload: { chatsLimit: number; messagesLimit: number },
  limit: number,
): Promise<QueuedReconciliation[]> {
  const claimed = await sqlOf(em).execute<{ session_id: string; tenant_id: string; trigger: string }[]>(
    `with due as (
       select r.session_id, s.tenant_id,
              case when s.working_since > coalesce(r.last_queued_at, r.created_at)
                   then '${ReconciliationTrigger.RECONNECT}' else '${ReconciliationTrigger.PERIODIC}' end as trigger
         from session_reconciliations r
         join whatsapp_sessions s on s.id = r.session_id
        where ${WORKING}
          and (r.last_queued_at is null or r.last_queued_at <= now() - make_interval(secs => ?::double precision))
          and (s.working_since > coalesce(r.last_queued_at, r.created_at)
               or coalesce(r.last_queued_at + make_interval(secs => ?::double precision), r.first_due_at) <= now())
          and not exists (
            select 1 from outbox_commands o
             where o.session_id = r.session_id and o.type = '${CommandType.CHATS_SYNC}'
               and o.status = '${OutboxStatus.PENDING}')
        order by coalesce(r.last_queued_at, r.first_due_at), r.session_id
        limit ?
        for update of r skip locked)
     update session_reconciliations r
        set last_queued_at = now(), last_trigger = due.trigger, tenant_id = due.tenant_id
       from due
      where r.session_id = due.session_id
     returning r.session_id, due.tenant_id, due.trigger`,
    [timing.minGapMs / 1000, timing.intervalMs / 1000, limit],
  );
  const queued: QueuedReconciliation[] = [];
  for (const row of claimed) {
    const command = newOutboxCommand(
      CommandType.CHATS_SYNC,
      { tenantId: row.tenant_id, sessionId: row.session_id },
      payload,
    );
    await sqlOf(em).execute(outboxCommandInsertSql(), outboxCommandValues(command));
    queued.push({
      sessionId: row.session_id,
      tenantId: row.tenant_id,
      trigger: row.trigger as ReconciliationTrigger,
      command,
    });
  }
  return queued;
}
