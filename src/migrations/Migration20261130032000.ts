import { Migration } from '@mikro-orm/migrations';

export class Migration20261130032000 extends Migration {
  override name = 'Migration20261130032000';

  override up(): void | Promise<void> {
    // Issue 13: when each session was last reconciled with WAHA (a chats.sync queued to recover
    // what webhooks missed). A new table: nothing existing is read or rewritten, and sessions get
    // their row from the worker, each first one at a random point of an interval.
    this.addSql(
      `create table "session_reconciliations" ("session_id" varchar(54) not null, "tenant_id" uuid not null, "first_due_at" timestamptz not null, "last_queued_at" timestamptz null, "last_trigger" text null, "created_at" timestamptz not null, primary key ("session_id"));`,
    );
    this.addSql(
      `alter table "session_reconciliations" add constraint "session_reconciliations_session_id_foreign" foreign key ("session_id") references "whatsapp_sessions" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "session_reconciliations" add constraint "session_reconciliations_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "session_reconciliations" add constraint "session_reconciliations_last_trigger_check" check ("last_trigger" in ('periodic', 'reconnect'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "session_reconciliations" cascade;`);
  }
}
