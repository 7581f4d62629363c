/**
 * `heads(id)`: the commands the dispatcher may consider now, as a WITH RECURSIVE entry: each
 * session's oldest pending command (its others wait behind it: n8n gets a session's commands in
 * order), and up to `nullLimit` pending commands that belong to no session, which nothing orders.
 *
 * Read as a loose index scan of outbox_commands_pending_index, (session_id, id) of pending rows:
 * the first entry, then the first entry past each session, one probe per session with pending
 * commands, however long their queues are. Asking per pending command whether an older one of its
 * session is pending instead costs the queue's length per command: with a backlog of 22k commands
 * a claim took 3.5 s, and a backlog left after an n8n outage never drained.
 *
 * A head is read from the statement's snapshot; the caller re-checks it under its row lock
 * (`status = 'PENDING'`, FOR UPDATE SKIP LOCKED re-evaluates that on the row's latest version), so
 * a head delivered meanwhile by another replica is skipped, and its successor waits for the next
 * claim, as it would have behind the not-yet-committed delivery.
 */
export function pendingHeadsCte(nullLimit: number): string {
  return `heads(session_id, id) as (
      (select session_id, id from outbox_commands
        where status = 'PENDING' and session_id is not null
        order by session_id, id limit 1)
      union all
      select next.session_id, next.id from heads h, lateral (
        select session_id, id from outbox_commands
         where status = 'PENDING' and session_id > h.session_id
         order by session_id, id limit 1) next
    ),
    candidates(id) as (
      select id from heads
      union all
      (select id from outbox_commands where status = 'PENDING' and session_id is null order by id limit ${Math.trunc(nullLimit)})
    )`;
}
