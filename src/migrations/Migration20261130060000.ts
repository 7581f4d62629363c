import { Migration } from '@mikro-orm/migrations';

export class Migration20261130060000 extends Migration {
  override name = 'Migration20261130060000';

  override up(): void | Promise<void> {
    // Issue 15: fewer index entries per stored event. Most messages carry no idempotency key (every
    // inbound one) and most chats no other WAHA id, yet each insert, and each chat update (never
    // HOT: activity_at is indexed), wrote a NULL entry into these unique indexes. Partial indexes
    // keep exactly the same uniqueness (NULLs never conflicted) and skip those entries. The
    // lookups by alt_chat_id = ? and idempotency_key = ? imply NOT NULL, so they still use them.
    this.addSql(`alter table "messages" drop constraint "messages_session_id_idempotency_key_unique";`);
    this.addSql(
      `create unique index "messages_session_id_idempotency_key_unique" on "messages" ("session_id", "idempotency_key") where "idempotency_key" is not null;`,
    );
    this.addSql(`alter table "chats" drop constraint "chats_session_id_alt_chat_id_unique";`);
    this.addSql(
      `create unique index "chats_session_id_alt_chat_id_unique" on "chats" ("session_id", "alt_chat_id") where "alt_chat_id" is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "messages_session_id_idempotency_key_unique";`);
    this.addSql(
      `alter table "messages" add constraint "messages_session_id_idempotency_key_unique" unique ("session_id", "idempotency_key");`,
    );
    this.addSql(`drop index "chats_session_id_alt_chat_id_unique";`);
    this.addSql(
      `alter table "chats" add constraint "chats_session_id_alt_chat_id_unique" unique ("session_id", "alt_chat_id");`,
    );
  }
}
