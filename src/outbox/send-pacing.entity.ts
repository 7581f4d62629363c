import { defineEntity, p } from '@mikro-orm/core';

/**
 * The pace of one session's sends, shared by every replica: its next paced command (a
 * WhatsApp send) is not claimed before `nextSendAt`. Written by the dispatcher in the statement
 * that records an attempt's outcome, so a replica that sees the attempt finished also sees the
 * pace it set. One row per session that ever sent; a row whose time has passed holds nothing
 * back. Not tenant-filtered, and no foreign key: like the outbox, only the dispatcher (and the
 * metrics) read it, across tenants on purpose, and the outbox knows no session table.
 */
export const SendPacingSchema = defineEntity({
  name: 'SendPacing',
  tableName: 'send_pacing',
  properties: {
    /** The WAHA session name, as outbox_commands.session_id. */
    sessionId: p.string().length(54).primary(),
    /** The session's next send may leave from then on. */
    nextSendAt: p.datetime(),
    /** When the attempt that set nextSendAt finished: what the pacing delay is measured from. */
    lastSendAt: p.datetime(),
  },
  indexes: [{ properties: ['nextSendAt'] }],
});

export class SendPacing extends SendPacingSchema.class {}
SendPacingSchema.setClass(SendPacing);
