import { Migration } from '@mikro-orm/migrations';

export class Migration20261130030000 extends Migration {
  override name = 'Migration20261130030000';

  override up(): void | Promise<void> {
    // Issue 13: WhatsApp's 2026 session rules. Passkey linking (WAHA 2026.7) gets its two
    // statuses and the code to compare; message capping and the reach-out timelock (WAHA 2026.8)
    // are kept on the session, so sends are judged without asking WAHA. Every new column is
    // nullable (null: WAHA has not said), so PostgreSQL adds them without rewriting the table.
    this.addSql(`alter table "whatsapp_sessions" drop constraint "whatsapp_sessions_status_check";`);
    this.addSql(
      `alter table "whatsapp_sessions" add constraint "whatsapp_sessions_status_check" check ("status" in ('CREATING', 'STARTING', 'SCAN_QR_CODE', 'PASSKEY_REQUIRED', 'PASSKEY_CONFIRMATION_REQUIRED', 'WORKING', 'FAILED', 'STOPPED', 'DELETING'));`,
    );
    this.addSql(
      `alter table "whatsapp_sessions" add "passkey_code" varchar(20) null, add "capping_status" text null, add "capping_used_quota" int null, add "capping_total_quota" int null, add "capping_cycle_end" timestamptz null, add "timelock_active" boolean null, add "timelock_until" timestamptz null;`,
    );
    this.addSql(
      `alter table "whatsapp_sessions" add constraint "whatsapp_sessions_capping_status_check" check ("capping_status" in ('NONE', 'FIRST_WARNING', 'SECOND_WARNING', 'CAPPED'));`,
    );

    this.addSql(`alter table "outbox_commands" drop constraint "outbox_commands_type_check";`);
    this.addSql(
      `alter table "outbox_commands" add constraint "outbox_commands_type_check" check ("type" in ('session.create', 'session.fetchQr', 'session.requestCode', 'session.stop', 'session.restart', 'session.logout', 'session.delete', 'session.limits', 'message.send', 'message.react', 'group.participants', 'contact.lookup', 'chats.sync', 'message.received'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "outbox_commands" where "type" = 'session.limits';`);
    this.addSql(`alter table "outbox_commands" drop constraint "outbox_commands_type_check";`);
    this.addSql(
      `alter table "outbox_commands" add constraint "outbox_commands_type_check" check ("type" in ('session.create', 'session.fetchQr', 'session.requestCode', 'session.stop', 'session.restart', 'session.logout', 'session.delete', 'message.send', 'message.react', 'group.participants', 'contact.lookup', 'chats.sync', 'message.received'));`,
    );
    this.addSql(`alter table "whatsapp_sessions" drop constraint "whatsapp_sessions_capping_status_check";`);
    this.addSql(
      `alter table "whatsapp_sessions" drop column "passkey_code", drop column "capping_status", drop column "capping_used_quota", drop column "capping_total_quota", drop column "capping_cycle_end", drop column "timelock_active", drop column "timelock_until";`,
    );
    // A session linking by passkey when this runs goes back to waiting for a scan.
    this.addSql(
      `update "whatsapp_sessions" set "status" = 'STARTING' where "status" in ('PASSKEY_REQUIRED', 'PASSKEY_CONFIRMATION_REQUIRED');`,
    );
    this.addSql(`alter table "whatsapp_sessions" drop constraint "whatsapp_sessions_status_check";`);
    this.addSql(
      `alter table "whatsapp_sessions" add constraint "whatsapp_sessions_status_check" check ("status" in ('CREATING', 'STARTING', 'SCAN_QR_CODE', 'WORKING', 'FAILED', 'STOPPED', 'DELETING'));`,
    );
  }
}
