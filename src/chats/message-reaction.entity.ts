import { defineEntity, p } from '@mikro-orm/core';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';

/**
 * One sender's reaction to a message (WAHA's `message.reaction`). WhatsApp keeps one reaction
 * per sender and message, and an empty one removes it, so the row is keyed by the message's
 * WAHA id and the sender, and a removal is kept as an empty `reaction` (not shown), so an older
 * reaction delivered after it cannot bring it back. Keyed by WAHA's id rather than our message
 * row, so a reaction that arrives before its message is kept and shown once the message is.
 * `timestamp` is WAHA's: a late redelivery of an older reaction never overwrites a newer one.
 */
export const MessageReactionSchema = defineEntity({
  name: 'MessageReaction',
  tableName: 'message_reactions',
  filters: { tenant: tenantFilter },
  properties: {
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    session: () => p.manyToOne(WhatsappSession).deleteRule('cascade').primary(),
    messageWahaId: p.string().length(200).primary(),
    /** WAHA's id of who reacted (`<digits>@c.us`, `@lid`; the linked account for our own). */
    senderId: p.string().length(100).primary(),
    /** The emoji; empty when the sender removed their reaction. */
    reaction: p.string().length(64),
    fromMe: p.boolean(),
    timestamp: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export class MessageReaction extends MessageReactionSchema.class {}
MessageReactionSchema.setClass(MessageReaction);
