import { defineEntity, p } from '@mikro-orm/core';
import { auditProperties } from '../common/audit.js';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { Message } from './message.entity.js';

/**
 * One conversation of a session, keyed by WAHA's chat id (`<digits>@c.us`, `@g.us`, `@lid`)
 * unique per session, so chats imported from WAHA's chats API and chats built from webhooks
 * are the same rows. The last message and the unread count are columns kept up to date when
 * a message is stored, so a page of chats with their last messages is one query.
 */
export const ChatSchema = defineEntity({
  name: 'Chat',
  tableName: 'chats',
  filters: { tenant: tenantFilter },
  properties: {
    /** Ours (a ULID); the API shows WAHA's `chatId` as the chat's id. */
    id: p.string().length(26).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    session: () => p.manyToOne(WhatsappSession).deleteRule('cascade'),
    /** WAHA's chat id. */
    chatId: p.string().length(100),
    /**
     * The contact's other WAHA id: a chat first stored under `<digits>@c.us` keeps its `@lid`
     * here once WAHA names both (and the other way round), so messages under either land in it.
     */
    altChatId: p.string().length(100).nullable(),
    /** A group's subject or a contact's name. */
    name: p.string().length(200).nullable(),
    /** A group's participants as WAHA last listed them (through n8n), and when. */
    participants: p.json<{ id: string; phoneId: string | null; role: string | null }[]>().nullable(),
    participantsFetchedAt: p.datetime().nullable(),
    unreadCount: p.integer().default(0),
    lastMessage: () => p.manyToOne(Message).nullable().deleteRule('set null'),
    /** When its last message was sent (or when the chat was stored, before it has one): the list's order. */
    activityAt: p.datetime(),
    ...auditProperties,
  },
  uniques: [
    { properties: ['session', 'chatId'] },
    {
      // Partial: most chats have no other id, and every chat update writes its index entries anew.
      name: 'chats_session_id_alt_chat_id_unique',
      expression:
        'create unique index "chats_session_id_alt_chat_id_unique" on "chats" ("session_id", "alt_chat_id") where "alt_chat_id" is not null',
    },
  ],
  indexes: [
    { properties: ['session', 'activityAt', 'chatId'] },
    // For the foreign key's `on delete set null`: without it, every deleted message (a merge, a
    // session's removal) scanned all chats for one naming it. Costs an entry per chat update.
    { properties: ['lastMessage'] },
  ],
});

export class Chat extends ChatSchema.class {}
ChatSchema.setClass(Chat);
