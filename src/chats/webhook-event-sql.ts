import { type EntityManager } from '@mikro-orm/core';
import { globalIdSql } from '../common/global-ids.js';
import { sqlOf } from '../database/sql.js';
import { deliveriesInsertSql, isoSql, WebhookEventType } from '../tenant-webhooks/webhook-events.js';
import { deliveryStatusOf } from './delivery-status.js';
import { type SessionRef } from './message-rows.js';

/**
 * The chats domain's events for tenants' webhook endpoints, as CTE bodies its statements embed:
 * written by the same statement as the change (see deliveriesInsertSql). The data are the ids a
 * receiver needs to fetch the rest through the API (the API's ids, e.g. for node(id), and WAHA's),
 * the status and the time; never a body.
 */

/** WAHA's ack as the status name the API shows (deliveryStatusOf), in SQL. */
function statusOfAckSql(ack: string): string {
  const cases = [-1, 0, 1, 2, 3, 4].map((a) => `when ${a} then '${deliveryStatusOf(a)}'`).join(' ');
  return `case ${ack} ${cases} else '${deliveryStatusOf(0)}' end`;
}

/**
 * `message.received` for a new inbound message. `rowsSql` selects `tenant_id, session_id, chat_id`
 * (WAHA's chat id), `id`, `waha_id`, `type` and `timestamp`.
 */
export function messageReceivedDeliveriesSql(rowsSql: string): string {
  return deliveriesInsertSql(
    WebhookEventType.MESSAGE_RECEIVED,
    rowsSql,
    `jsonb_build_object('sessionId', ev.session_id, 'chatId', ev.chat_id, 'messageId', ${globalIdSql('WhatsappMessage', 'ev.id')},
      'wahaMessageId', ev.waha_id, 'messageType', ev.type, 'timestamp', ${isoSql('ev."timestamp"')})`,
  );
}

/**
 * `message.status_changed` for each message whose ack moved forward. `rowsSql` selects
 * `tenant_id, session_id, chat_pk` (our chat row id), `id`, `waha_id` and `ack`.
 */
export function messageStatusDeliveriesSql(rowsSql: string): string {
  return deliveriesInsertSql(
    WebhookEventType.MESSAGE_STATUS_CHANGED,
    rowsSql,
    `jsonb_build_object('sessionId', ev.session_id,
      'chatId', (select c.chat_id from chats c where c.id = ev.chat_pk), 'messageId', ${globalIdSql('WhatsappMessage', 'ev.id')},
      'wahaMessageId', ev.waha_id, 'status', ${statusOfAckSql('ev.ack')}, 'timestamp', ${isoSql('now()')})`,
  );
}

/** `message.status_changed` for one message as it now is, in `em`'s transaction (n8n's SENT and FAILED reports). */
export async function writeStatusDeliveries(
  em: EntityManager,
  ref: SessionRef,
  messageId: string,
): Promise<void> {
  await sqlOf(em).execute(
    messageStatusDeliveriesSql(
      `select ?::uuid as tenant_id, ?::varchar as session_id, m.chat_id as chat_pk, m.id, m.waha_id, m.ack
         from messages m where m.id = ?`,
    ),
    [ref.tenantId, ref.sessionId, messageId],
  );
}

/**
 * `media.ready` for each message naming a file just stored. `rowsSql` selects `tenant_id,
 * session_id, media_id, mimetype, size`; the messages are found here.
 */
export function mediaReadyDeliveriesSql(rowsSql: string): string {
  return deliveriesInsertSql(
    WebhookEventType.MEDIA_READY,
    `select r.tenant_id, r.session_id, r.media_id, r.mimetype, r.size, m.id as message_id, m.waha_id, c.chat_id
       from (${rowsSql}) r
       join messages m on m.tenant_id = r.tenant_id and m.session_id = r.session_id and m.media_id = r.media_id
       join chats c on c.id = m.chat_id`,
    `jsonb_build_object('sessionId', ev.session_id, 'chatId', ev.chat_id, 'messageId', ${globalIdSql('WhatsappMessage', 'ev.message_id')},
      'wahaMessageId', ev.waha_id, 'mediaId', ${globalIdSql('WhatsappMedia', 'ev.media_id')}, 'mimetype', ev.mimetype, 'size', ev.size,
      'timestamp', ${isoSql('now()')})`,
  );
}
