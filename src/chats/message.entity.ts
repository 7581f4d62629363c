import { defineEntity, p } from '@mikro-orm/core';
import { auditProperties } from '../common/audit.js';
import { tenantFilter } from '../common/tenant-filter.js';
import { Media } from '../media/media.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { MESSAGE_TYPES, MessageType } from '../waha/message-types.js';
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
    type: p.enum(MESSAGE_TYPES).default(MessageType.TEXT),
    /** Its file in the media store, when it has one (see Media). */
    media: () => p.manyToOne(Media).nullable().deleteRule('set null'),
    /** WAHA's id of the message this one quotes, and a short excerpt of it as WAHA gave it. */
    replyToWahaId: p.string().length(200).nullable(),
    replyToExcerpt: p.text().nullable(),
    /** In a group: who wrote it (WAHA's `participant`), and its phone-number id when WAHA gives one. */
    authorId: p.string().length(100).nullable(),
    authorPhoneId: p.string().length(100).nullable(),
    /** WAHA's WALocation of a LOCATION message. */
    location: p.json<Record<string, unknown>>().nullable(),
    /** The vCards of a CONTACT message. */
    vcards: p.json<string[]>().nullable(),
    /** When it was last edited (`message.edited`), with the body it had before. */
    editedAt: p.datetime().nullable(),
    previousBody: p.text().nullable(),
    /** When it was deleted for everyone (`message.revoked`); its body is cleared then. */
    revokedAt: p.datetime().nullable(),
    /** WAHA's timestamp (when it was sent); for our own messages, when the user sent it. */
    timestamp: p.datetime(),
    ack: p.smallint().default(0),
    /** Why sending failed (n8n's report), for people. */
    failureReason: p.text().nullable(),
    /** The client's key that makes a retried send store one message. */
    idempotencyKey: p.string().length(100).nullable(),
    ...auditProperties,
  },
  uniques: [
    { properties: ['session', 'wahaId'] },
    {
      // Partial: most messages (every inbound one) have no key, and a NULL never conflicts anyway.
      name: 'messages_session_id_idempotency_key_unique',
      expression:
        'create unique index "messages_session_id_idempotency_key_unique" on "messages" ("session_id", "idempotency_key") where "idempotency_key" is not null',
    },
  ],
  indexes: [
    { properties: ['chat', 'timestamp', 'id'] },
    {
      // For the foreign key's `on delete set null`: without it, every deleted media row scanned
      // all messages. Partial: most messages carry no file, and their inserts write no entry.
      name: 'messages_media_id_index',
      expression:
        'create index "messages_media_id_index" on "messages" ("media_id") where "media_id" is not null',
    },
  ],
});

export class Message extends MessageSchema.class {}
MessageSchema.setClass(Message);
