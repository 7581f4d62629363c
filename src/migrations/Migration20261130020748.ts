import { Migration } from '@mikro-orm/migrations';

export class Migration20261130020748 extends Migration {
  override name = 'Migration20261130020748';

  override up(): void | Promise<void> {
    // Issue 13: when the linked account was linked (a new number sends slower) and when the
    // current WORKING began (a new one is a reconnect, which reconciles the session). Sessions
    // linked before this column count from their creation, the WORKING ones from their last change.
    this.addSql(
      `alter table "whatsapp_sessions" add "linked_at" timestamptz null, add "working_since" timestamptz null;`,
    );
    this.addSql(`update "whatsapp_sessions" set "linked_at" = "created_at" where "me_id" is not null;`);
    this.addSql(`update "whatsapp_sessions" set "working_since" = "updated_at" where "status" = 'WORKING';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "whatsapp_sessions" drop column "linked_at", drop column "working_since";`);
  }
}
