import { Migration } from '@mikro-orm/migrations';

export class Migration20261130090000 extends Migration {
  override name = 'Migration20261130090000';

  override up(): void | Promise<void> {
    // Issue 15, growth: two foreign keys whose referencing column had no index, so PostgreSQL's
    // `on delete set null` scanned the whole referencing table once per deleted row. Each deleted
    // message scanned every chat for chats.last_message_id (26-165 ms a message at 1M messages;
    // removing a session of 100k messages ~45 min), each deleted media row every message for
    // messages.media_id (567 ms at 1M). With these, each is an index probe. The media one is
    // partial: most messages carry no file, and the trigger's `media_id = $1` implies not null.
    // (The tenant_id foreign keys have no index of their own either: a tenant's removal scans each
    // table once, not once per row, and is rare; an index on every table would cost every insert.)
    this.addSql(`create index "chats_last_message_id_index" on "chats" ("last_message_id");`);
    this.addSql(
      `create index "messages_media_id_index" on "messages" ("media_id") where "media_id" is not null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "messages_media_id_index";`);
    this.addSql(`drop index "chats_last_message_id_index";`);
  }
}
