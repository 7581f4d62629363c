import { Migration } from '@mikro-orm/migrations';

export class Migration20261130031000 extends Migration {
  override name = 'Migration20261130031000';

  override up(): void | Promise<void> {
    // Issue 13: the pace of each session's sends, in the database so every replica keeps it.
    // The index serves the dispatcher's "when is the next paced send due" after an idle pass.
    this.addSql(
      `create table "send_pacing" ("session_id" varchar(54) not null, "next_send_at" timestamptz not null, "last_send_at" timestamptz not null, primary key ("session_id"));`,
    );
    this.addSql(`create index "send_pacing_next_send_at_index" on "send_pacing" ("next_send_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "send_pacing" cascade;`);
  }
}
