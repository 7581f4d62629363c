import { defineEntity, p } from '@mikro-orm/core';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';

/**
 * A `message.ack` for a WAHA message id we do not have yet: WAHA does not keep order, so an
 * ack may beat the message (or n8n's SENT report) here. It is held until a message with that
 * id is stored, then applied and deleted. Written and read only by the ingestion SQL.
 */
export const MessageAckHoldSchema = defineEntity({
  name: 'MessageAckHold',
  tableName: 'message_ack_holds',
  properties: {
    session: () => p.manyToOne(WhatsappSession).primary().deleteRule('cascade'),
    wahaId: p.string().length(200).primary(),
    ack: p.smallint(),
    receivedAt: p.datetime(),
  },
});

export class MessageAckHold extends MessageAckHoldSchema.class {}
MessageAckHoldSchema.setClass(MessageAckHold);
