import { defineEntity, p } from '@mikro-orm/core';
import { Tenant } from '../tenants/tenant.entity.js';
import { COMMAND_TYPES } from './commands.js';

export const OutboxStatus = {
  PENDING: 'PENDING',
  DELIVERED: 'DELIVERED',
  /** Gave up after OUTBOX_MAX_ATTEMPTS; kept for inspection. */
  DEAD: 'DEAD',
} as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];

/**
 * A command to n8n, written in the same transaction as the change that causes it and
 * delivered by the OutboxDispatcher. Not tenant-filtered: only the dispatcher and health
 * read it, across tenants on purpose; every row still names its tenant.
 */
export const OutboxCommandSchema = defineEntity({
  name: 'OutboxCommand',
  tableName: 'outbox_commands',
  properties: {
    /** A monotonic ULID: ids sort in the order commands were written. Also the idempotency key. */
    id: p.string().length(26).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    type: p.enum(COMMAND_TYPES),
    sessionId: p.string().length(54).nullable(),
    payload: p.json<Record<string, unknown>>(),
    status: p.enum(() => OutboxStatus).default(OutboxStatus.PENDING),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime(),
    /** A replica that claimed the row owns it until then (crash-safe claim). */
    lockedUntil: p.datetime().nullable(),
    lastError: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    deliveredAt: p.datetime().nullable(),
  },
  indexes: [
    {
      // A session's oldest pending command is the first entry of its range (the dispatcher's claim).
      name: 'outbox_commands_pending_index',
      expression:
        'create index "outbox_commands_pending_index" on "outbox_commands" ("session_id", "id") where "status" = \'PENDING\'',
    },
    {
      // Pending and dead commands only: what health and the metrics count, never the delivered bulk.
      name: 'outbox_commands_undelivered_index',
      expression:
        'create index "outbox_commands_undelivered_index" on "outbox_commands" ("status", "id") where "status" <> \'DELIVERED\'',
    },
  ],
});

export class OutboxCommand extends OutboxCommandSchema.class {}
OutboxCommandSchema.setClass(OutboxCommand);
