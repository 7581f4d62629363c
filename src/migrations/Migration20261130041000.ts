import { Migration } from '@mikro-orm/migrations';

export class Migration20261130041000 extends Migration {
  override name = 'Migration20261130041000';

  override up(): void | Promise<void> {
    // Issue 14: tenants' own webhook endpoints, their deliveries (a transactional outbox the
    // message, ack, session and media writes insert into) and the log of every attempt. New
    // tables only: nothing existing is read or rewritten.
    this.addSql(
      `create table "tenant_webhook_endpoints" ("id" uuid not null, "tenant_id" uuid not null, "url" text not null, "events" text[] not null, "description" text null, "enabled" boolean not null, "disabled_reason" text null, "secret" text not null, "previous_secret" text null, "previous_secret_expires_at" timestamptz null, "consecutive_failures" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "tenant_webhook_endpoints_tenant_id_index" on "tenant_webhook_endpoints" ("tenant_id");`,
    );
    this.addSql(
      `create table "tenant_webhook_deliveries" ("id" uuid not null, "tenant_id" uuid not null, "endpoint_id" uuid not null, "event_type" varchar(64) not null, "payload" jsonb not null, "status" text not null, "attempts" int not null, "retries" int not null, "next_attempt_at" timestamptz not null, "locked_until" timestamptz null, "last_status_code" int null, "last_error" text null, "created_at" timestamptz not null, "delivered_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "tenant_webhook_deliveries_status_next_attempt_at_index" on "tenant_webhook_deliveries" ("status", "next_attempt_at");`,
    );
    this.addSql(
      `create index "tenant_webhook_deliveries_endpoint_id_created_at_index" on "tenant_webhook_deliveries" ("endpoint_id", "created_at");`,
    );
    this.addSql(
      `alter table "tenant_webhook_deliveries" add constraint "tenant_webhook_deliveries_status_check" check ("status" in ('PENDING', 'DELIVERED', 'FAILED'));`,
    );
    this.addSql(
      `create table "tenant_webhook_attempts" ("id" uuid not null, "tenant_id" uuid not null, "delivery_id" uuid not null, "attempt" int not null, "status_code" int null, "latency_ms" int not null, "error" text null, "response_excerpt" text null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "tenant_webhook_attempts_delivery_id_attempt_index" on "tenant_webhook_attempts" ("delivery_id", "attempt");`,
    );
    this.addSql(
      `alter table "tenant_webhook_endpoints" add constraint "tenant_webhook_endpoints_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tenant_webhook_deliveries" add constraint "tenant_webhook_deliveries_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tenant_webhook_deliveries" add constraint "tenant_webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "tenant_webhook_endpoints" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tenant_webhook_attempts" add constraint "tenant_webhook_attempts_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tenant_webhook_attempts" add constraint "tenant_webhook_attempts_delivery_id_foreign" foreign key ("delivery_id") references "tenant_webhook_deliveries" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "tenant_webhook_attempts" cascade;`);
    this.addSql(`drop table if exists "tenant_webhook_deliveries" cascade;`);
    this.addSql(`drop table if exists "tenant_webhook_endpoints" cascade;`);
  }
}
