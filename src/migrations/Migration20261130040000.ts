import { Migration } from '@mikro-orm/migrations';

export class Migration20261130040000 extends Migration {
  override name = 'Migration20261130040000';

  override up(): void | Promise<void> {
    // Issue 14: tenant API keys. A new table: nothing existing is read or rewritten. Only the
    // key's SHA-256 is stored; the unique index on it is the lookup every request with a key makes.
    this.addSql(
      `create table "api_keys" ("id" varchar(26) not null, "tenant_id" uuid not null, "name" varchar(100) not null, "scopes" text[] not null, "hash" varchar(64) not null, "prefix" varchar(16) not null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "created_by" varchar(120) not null, "updated_by" varchar(120) not null, primary key ("id"));`,
    );
    this.addSql(`alter table "api_keys" add constraint "api_keys_hash_unique" unique ("hash");`);
    this.addSql(
      `alter table "api_keys" add constraint "api_keys_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "api_keys" cascade;`);
  }
}
