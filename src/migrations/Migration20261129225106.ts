import { Migration } from '@mikro-orm/migrations';

export class Migration20261129225106 extends Migration {
  override name = 'Migration20261129225106';

  override up(): void | Promise<void> {
    // Issue 12: messages keep their kind, reply, group author, location, contact cards, edits
    // and revokes; files move to the media store (media); reactions are their own table; a chat
    // keeps the contact's other id (LID or phone number) and a group's participants. Every new
    // column is nullable or has a constant default, so PostgreSQL adds it without rewriting the
    // table; the check constraints read each table once.
    this.addSql(
      `create table "media" ("id" varchar(26) not null, "tenant_id" uuid not null, "session_id" varchar(54) not null, "direction" text not null, "state" text not null default 'PENDING', "mimetype" varchar(255) null, "filename" varchar(255) null, "size" bigint null, "sha256" varchar(64) null, "storage_key" varchar(300) null, "source_url" text null, "failure_reason" text null, "attempts" int not null default 0, "next_attempt_at" timestamptz null, "locked_until" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "created_by" varchar(120) not null, "updated_by" varchar(120) not null, primary key ("id"));`,
    );
    this.addSql(`create index "media_state_next_attempt_at_index" on "media" ("state", "next_attempt_at");`);

    this.addSql(
      `create table "message_reactions" ("session_id" varchar(54) not null, "message_waha_id" varchar(200) not null, "sender_id" varchar(100) not null, "tenant_id" uuid not null, "reaction" varchar(64) not null, "from_me" boolean not null, "timestamp" timestamptz not null, "updated_at" timestamptz not null, primary key ("session_id", "message_waha_id", "sender_id"));`,
    );

    this.addSql(`alter table "outbox_commands" drop constraint "outbox_commands_type_check";`);
    this.addSql(
      `alter table "outbox_commands" add constraint "outbox_commands_type_check" check ("type" in ('session.create', 'session.fetchQr', 'session.requestCode', 'session.stop', 'session.restart', 'session.logout', 'session.delete', 'message.send', 'message.react', 'group.participants', 'contact.lookup', 'chats.sync', 'message.received'));`,
    );

    this.addSql(
      `alter table "chats" add "alt_chat_id" varchar(100) null, add "participants" jsonb null, add "participants_fetched_at" timestamptz null;`,
    );
    this.addSql(
      `alter table "chats" add constraint "chats_session_id_alt_chat_id_unique" unique ("session_id", "alt_chat_id");`,
    );

    this.addSql(
      `alter table "messages" add "type" text not null default 'TEXT', add "media_id" varchar(26) null, add "reply_to_waha_id" varchar(200) null, add "reply_to_excerpt" text null, add "author_id" varchar(100) null, add "author_phone_id" varchar(100) null, add "location" jsonb null, add "vcards" jsonb null, add "edited_at" timestamptz null, add "previous_body" text null, add "revoked_at" timestamptz null;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_media_id_foreign" foreign key ("media_id") references "media" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "messages" add constraint "messages_type_check" check ("type" in ('TEXT', 'IMAGE', 'VIDEO', 'AUDIO', 'VOICE', 'DOCUMENT', 'STICKER', 'LOCATION', 'CONTACT', 'OTHER'));`,
    );

    this.addSql(
      `alter table "media" add constraint "media_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "media" add constraint "media_direction_check" check ("direction" in ('INBOUND', 'OUTBOUND'));`,
    );
    this.addSql(
      `alter table "media" add constraint "media_state_check" check ("state" in ('PENDING', 'READY', 'FAILED'));`,
    );

    this.addSql(
      `alter table "message_reactions" add constraint "message_reactions_session_id_foreign" foreign key ("session_id") references "whatsapp_sessions" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "message_reactions" add constraint "message_reactions_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "messages" drop constraint "messages_media_id_foreign";`);

    this.addSql(`drop table if exists "media" cascade;`);
    this.addSql(`drop table if exists "message_reactions" cascade;`);

    this.addSql(`alter table "chats" drop constraint "chats_session_id_alt_chat_id_unique";`);
    this.addSql(
      `alter table "chats" drop column "alt_chat_id", drop column "participants", drop column "participants_fetched_at";`,
    );

    this.addSql(`alter table "messages" drop constraint "messages_type_check";`);
    this.addSql(
      `alter table "messages" drop column "type", drop column "media_id", drop column "reply_to_waha_id", drop column "reply_to_excerpt", drop column "author_id", drop column "author_phone_id", drop column "location", drop column "vcards", drop column "edited_at", drop column "previous_body", drop column "revoked_at";`,
    );

    this.addSql(`alter table "outbox_commands" drop constraint "outbox_commands_type_check";`);
    this.addSql(
      `alter table "outbox_commands" add constraint "outbox_commands_type_check" check ("type" in ('session.create', 'session.fetchQr', 'session.requestCode', 'session.stop', 'session.restart', 'session.logout', 'session.delete', 'message.send', 'chats.sync', 'message.received'));`,
    );
  }
}
