import { Migration } from '@mikro-orm/migrations';

export class Migration20261130093000 extends Migration {
  override name = 'Migration20261130093000';

  override up(): void | Promise<void> {
    // Issue 15 (outbox throughput): the dispatcher's claim asks, per pending command, whether an
    // older command of its session is still pending. On (session_id, status) that was a scan of
    // the session's whole pending queue per candidate: with a backlog of 22k commands over 50
    // sessions one claim took 3.5 s and delivery fell to ~20 commands/s, so a backlog (n8n down
    // for a while) could never drain. On (session_id, id) of pending rows alone, a session's
    // oldest pending command is the first entry of its range, and the claim walks one entry per
    // session (see OutboxDispatcher).
    this.addSql(`drop index "outbox_commands_session_id_status_index";`);
    this.addSql(
      `create index "outbox_commands_pending_index" on "outbox_commands" ("session_id", "id") where "status" = 'PENDING';`,
    );
    // Delivered commands are kept (nothing prunes them yet) and outnumber the rest by far; the
    // health check and the metrics read only pending and dead ones, which this index holds alone.
    this.addSql(`drop index "outbox_commands_status_next_attempt_at_index";`);
    this.addSql(
      `create index "outbox_commands_undelivered_index" on "outbox_commands" ("status", "id") where "status" <> 'DELIVERED';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "outbox_commands_undelivered_index";`);
    this.addSql(
      `create index "outbox_commands_status_next_attempt_at_index" on "outbox_commands" ("status", "next_attempt_at");`,
    );
    this.addSql(`drop index "outbox_commands_pending_index";`);
    this.addSql(
      `create index "outbox_commands_session_id_status_index" on "outbox_commands" ("session_id", "status");`,
    );
  }
}
