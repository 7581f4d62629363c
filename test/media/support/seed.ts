import { randomBytes } from 'node:crypto';
import { newRowId } from '../../../src/database/row-ids.js';
import {
  type InboundMediaSource,
  mediaInsertSql,
  mediaValues,
  newInboundMedia,
} from '../../../src/media/media-rows.js';
import { TenantsService } from '../../../src/tenants/tenants.service.js';
import { sql, type TestApp } from '../../support/app.js';

export interface SeededMessage {
  tenantId: string;
  sessionId: string;
  chatId: string;
  wahaId: string;
  messageId: string;
  mediaId: string;
}

/**
 * A received message with its file, as the webhook stores one (its media row written by
 * media-rows' one definition), straight into the app's database: the media specs do not depend
 * on the webhook's parsing. The tenant's session is made on first use.
 */
export async function seedMessageWithMedia(
  t: TestApp,
  options: {
    tenant: string;
    sessionId?: string;
    media: InboundMediaSource;
    /** When its download job is first due (default: now, as the webhook writes it). */
    nextAttemptAt?: Date;
  },
): Promise<SeededMessage> {
  const tenant = await t.app.get(TenantsService).ensure(options.tenant);
  const sessionId = options.sessionId ?? `ws_${options.tenant.replace(/-/g, '_')}`;
  await sql(
    t,
    `insert into whatsapp_sessions (id, tenant_id, display_name, auth_method, status, webhook_hmac_key, created_at, updated_at, created_by, updated_by)
     values (?, ?, ?, 'QR', 'WORKING', ?, now(), now(), 'system:test', 'system:test') on conflict (id) do nothing`,
    [sessionId, tenant.id, sessionId, randomBytes(32).toString('hex')],
  );
  const chatId = `49170${Math.floor(Math.random() * 1e7)}@c.us`;
  const wahaId = `false_${chatId}_${randomBytes(8).toString('hex').toUpperCase()}`;
  const chatPk = newRowId();
  const messageId = newRowId();
  const media = newInboundMedia({ tenantId: tenant.id, sessionId }, options.media, 'system:webhooks');
  if (options.nextAttemptAt && media.nextAttemptAt) media.nextAttemptAt = options.nextAttemptAt;
  // One statement, as the webhook's: the message names its media, checked at the statement's end.
  await sql(
    t,
    `with md as (${mediaInsertSql()} returning id),
      ch as (insert into chats (id, tenant_id, session_id, chat_id, unread_count, activity_at, created_at, updated_at, created_by, updated_by)
             values (?, ?, ?, ?, 1, now(), now(), now(), 'system:test', 'system:test') returning id)
     insert into messages (id, tenant_id, session_id, chat_id, waha_id, from_me, has_media, type, media_id, "timestamp", ack, created_at, updated_at, created_by, updated_by)
     select ?, ?, ?, ch.id, ?, false, true, 'IMAGE', md.id, now(), 1, now(), now(), 'system:test', 'system:test' from md, ch`,
    [...mediaValues(media), chatPk, tenant.id, sessionId, chatId, messageId, tenant.id, sessionId, wahaId],
  );
  return { tenantId: tenant.id, sessionId, chatId, wahaId, messageId, mediaId: media.id };
}

export interface MediaRowState {
  state: string;
  attempts: number;
  size: string | null;
  sha256: string | null;
  mimetype: string | null;
  filename: string | null;
  failure_reason: string | null;
  storage_key: string | null;
}

export async function mediaRow(t: TestApp, id: string): Promise<MediaRowState> {
  const [row] = await sql<MediaRowState>(
    t,
    `select state, attempts, size, sha256, mimetype, filename, failure_reason, storage_key from media where id = ?`,
    [id],
  );
  if (!row) throw new Error(`no media ${id}`);
  return row;
}
