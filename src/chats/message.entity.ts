import { defineEntity, p } from '@mikro-orm/core';
import { auditProperties } from '../common/audit.js';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { Chat } from './chat.entity.js';

/**
 * A WhatsApp message of a chat. `wahaId` is WAHA's id (`{fromMe}_{chatId}_{id}`), unique per
 * session; a message sent through this service has none until n8n reports it SENT, which is
 * why the primary key is ours. `ack` is WAHA's delivery ack (ERROR -1 … PLAYED 4).
 */
export const MessageSchema = defineEntity({
  name: 'Message',
  tableName: 'messages',
  filters: { tenant: tenantFilter },
  properties: {
    /** Ours (a ULID): the `messageId` of the message.send command. */
    id: p.string().length(26).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    session: () => p.manyToOne(WhatsappSession).deleteRule('cascade'),
    chat: () => p.manyToOne(Chat).deleteRule('cascade'),
    wahaId: p.string().length(200).nullable(),
    fromMe: p.boolean(),
    body: p.text().nullable(),
    hasMedia: p.boolean().default(false),
    /** WAHA's timestamp (when it was sent); for our own messages, when the user sent it. */
    timestamp: p.datetime(),
    ack: p.smallint().default(0),
    /** Why sending failed (n8n's report), for people. */
    failureReason: p.text().nullable(),
    /** The client's key that makes a retried send store one message. */
    idempotencyKey: p.string().length(100).nullable(),
    ...auditProperties,
  },
  uniques: [{ properties: ['session', 'wahaId'] }, { properties: ['session', 'idempotencyKey'] }],
  indexes: [{ properties: ['chat', 'timestamp', 'id'] }],
});

export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
