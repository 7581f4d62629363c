import { Migration } from '@mikro-orm/migrations';

export class Migration20261129171631 extends Migration {
  override name = 'Migration20261129171631';

  override up(): void | Promise<void> {
    // Dedupe per session: each WAHA makes its event ids itself, so the same id from two sessions
    // (two tenants) is two events. Every existing row keeps its key (ids were unique, so the
    // pairs are). Building the new key holds the table's lock for the build: webhook deliveries
    // wait (or fail and are retried by WAHA) meanwhile; none is lost.
    this.addSql(`alter table "webhook_events" drop constraint "webhook_events_pkey";`);
    this.addSql(`alter table "webhook_events" add primary key ("session_id", "id");`);
  }

  override down(): void | Promise<void> {
    // The old key holds one row per event id: of the sessions that share one, the first
    // received keeps it (a later redelivery of the others' would then count as a duplicate).
    this.addSql(
      `delete from "webhook_events" e where exists (select 1 from "webhook_events" o where o."id" = e."id" and (o."received_at", o."session_id") < (e."received_at", e."session_id"));`,
    );
    this.addSql(`alter table "webhook_events" drop constraint "webhook_events_pkey";`);
    this.addSql(`alter table "webhook_events" add primary key ("id");`);
  }
}
