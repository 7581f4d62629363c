import { Migration } from '@mikro-orm/migrations';

export class Migration20261121071727 extends Migration {
  override name = 'Migration20261121071727';

  override up(): void | Promise<void> {
    // Events stored before this column existed get their arrival time.
    this.addSql(`alter table "webhook_events" add "occurred_at" timestamptz null;`);
    this.addSql(`update "webhook_events" set "occurred_at" = "received_at";`);
    this.addSql(`alter table "webhook_events" alter column "occurred_at" set not null;`);
    this.addSql(
      `create index "webhook_events_session_id_event_occurred_at_index" on "webhook_events" ("session_id", "event", "occurred_at");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "webhook_events_session_id_event_occurred_at_index";`);
    this.addSql(`alter table "webhook_events" drop column "occurred_at";`);
  }
}
