import { Migration } from '@mikro-orm/migrations';

export class Migration20261121063342 extends Migration {
  override name = 'Migration20261121063342';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "tenants" ("id" uuid not null, "slug" varchar(40) not null, "name" varchar(200) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "tenants" add constraint "tenants_slug_unique" unique ("slug");`);

    this.addSql(
      `create table "whatsapp_sessions" ("id" varchar(54) not null, "tenant_id" uuid not null, "display_name" varchar(100) not null, "auth_method" text not null, "phone_number" varchar(15) null, "status" text not null default 'CREATING', "me_id" varchar(100) null, "me_push_name" varchar(200) null, "qr_value" text null, "qr_expires_at" timestamptz null, "qr_sequence" smallint null, "pairing_code" varchar(20) null, "pairing_code_expires_at" timestamptz null, "last_error" text null, "last_error_at" timestamptz null, "webhook_hmac_key" varchar(128) not null, "idempotency_key" varchar(100) null, "deleted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "created_by" varchar(120) not null, "updated_by" varchar(120) not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "whatsapp_sessions_tenant_id_status_index" on "whatsapp_sessions" ("tenant_id", "status");`,
    );
    this.addSql(
      `alter table "whatsapp_sessions" add constraint "whatsapp_sessions_tenant_id_idempotency_key_unique" unique ("tenant_id", "idempotency_key");`,
    );
    this.addSql(
      `create unique index "whatsapp_sessions_tenant_display_name_unique" on "whatsapp_sessions" ("tenant_id", lower("display_name")) where "deleted_at" is null;`,
    );

    this.addSql(
      `alter table "whatsapp_sessions" add constraint "whatsapp_sessions_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "whatsapp_sessions" add constraint "whatsapp_sessions_auth_method_check" check ("auth_method" in ('QR', 'PHONE_CODE'));`,
    );
    this.addSql(
      `alter table "whatsapp_sessions" add constraint "whatsapp_sessions_status_check" check ("status" in ('CREATING', 'STARTING', 'SCAN_QR_CODE', 'WORKING', 'FAILED', 'STOPPED', 'DELETING'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "whatsapp_sessions" drop constraint "whatsapp_sessions_tenant_id_foreign";`);

    this.addSql(`drop table if exists "tenants" cascade;`);
    this.addSql(`drop table if exists "whatsapp_sessions" cascade;`);
  }
}
