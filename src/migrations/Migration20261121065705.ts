import { Migration } from '@mikro-orm/migrations';

export class Migration20261121065705 extends Migration {
  override name = 'Migration20261121065705';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "webhook_events" ("id" varchar(100) not null, "tenant_id" uuid not null, "session_id" varchar(54) not null, "event" varchar(40) not null, "received_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "webhook_events_received_at_index" on "webhook_events" ("received_at");`);

    this.addSql(
      `create table "message_ack_holds" ("session_id" varchar(54) not null, "waha_id" varchar(200) not null, "ack" smallint not null, "received_at" timestamptz not null, primary key ("session_id", "waha_id"));`,
    );

    this.addSql(
      `create table "chats" ("id" varchar(26) not null, "tenant_id" uuid not null, "session_id" varchar(54) not null, "chat_id" varchar(100) not null, "name" varchar(200) null, "unread_count" int not null default 0, "last_message_id" varchar(26) null, "activity_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "created_by" varchar(120) not null, "updated_by" varchar(120) not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "chats_session_id_activity_at_chat_id_index" on "chats" ("session_id", "activity_at", "chat_id");`,
    );
    this.addSql(
      `alter table "chats" add constraint "chats_session_id_chat_id_unique" unique ("session_id", "chat_id");`,
    );

    this.addSql(
      `create table "messages" ("id" varchar(26) not null, "tenant_id" uuid not null, "session_id" varchar(54) not null, "chat_id" varchar(26) not null, "waha_id" varchar(200) null, "from_me" boolean not null, "body" text null, "has_media" boolean not null default false, "timestamp" timestamptz not null, "ack" smallint not null default 0, "failure_reason" text null, "idempotency_key" varchar(100) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "created_by" varchar(120) not null, "updated_by" varchar(120) not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "messages_chat_id_timestamp_id_index" on "messages" ("chat_id", "timestamp", "id");`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_session_id_waha_id_unique" unique ("session_id", "waha_id");`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_session_id_idempotency_key_unique" unique ("session_id", "idempotency_key");`,
    );

    this.addSql(
      `alter table "webhook_events" add constraint "webhook_events_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "message_ack_holds" add constraint "message_ack_holds_session_id_foreign" foreign key ("session_id") references "whatsapp_sessions" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "chats" add constraint "chats_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "chats" add constraint "chats_session_id_foreign" foreign key ("session_id") references "whatsapp_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "chats" add constraint "chats_last_message_id_foreign" foreign key ("last_message_id") references "messages" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "messages" add constraint "messages_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_session_id_foreign" foreign key ("session_id") references "whatsapp_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_chat_id_foreign" foreign key ("chat_id") references "chats" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "messages" drop constraint "messages_chat_id_foreign";`);
    this.addSql(`alter table "chats" drop constraint "chats_last_message_id_foreign";`);

    this.addSql(`drop table if exists "webhook_events" cascade;`);
    this.addSql(`drop table if exists "message_ack_holds" cascade;`);
    this.addSql(`drop table if exists "chats" cascade;`);
    this.addSql(`drop table if exists "messages" cascade;`);
  }
}
