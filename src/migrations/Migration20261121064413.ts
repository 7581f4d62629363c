import { Migration } from '@mikro-orm/migrations';

export class Migration20261121064413 extends Migration {
  override name = 'Migration20261121064413';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "outbox_commands" ("id" varchar(26) not null, "tenant_id" uuid not null, "type" text not null, "session_id" varchar(54) null, "payload" jsonb not null, "status" text not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "locked_until" timestamptz null, "last_error" text null, "created_at" timestamptz not null, "delivered_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_commands_status_next_attempt_at_index" on "outbox_commands" ("status", "next_attempt_at");`,
    );
    this.addSql(
      `create index "outbox_commands_session_id_status_index" on "outbox_commands" ("session_id", "status");`,
    );

    this.addSql(
      `alter table "outbox_commands" add constraint "outbox_commands_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "outbox_commands" add constraint "outbox_commands_type_check" check ("type" in ('session.create', 'session.fetchQr', 'session.requestCode', 'session.stop', 'session.restart', 'session.logout', 'session.delete', 'message.send', 'chats.sync', 'message.received'));`,
    );
    this.addSql(
      `alter table "outbox_commands" add constraint "outbox_commands_status_check" check ("status" in ('PENDING', 'DELIVERED', 'DEAD'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "outbox_commands" cascade;`);
  }
}
