import { defineEntity, p } from '@mikro-orm/core';
import { Tenant } from '../tenants/tenant.entity.js';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';

export const ReconciliationTrigger = {
  /** RECONCILE_INTERVAL_MS passed since the session's last one. */
  PERIODIC: 'periodic',
  /** The session became WORKING again (a new working_since) after its last one. */
  RECONNECT: 'reconnect',
} as const;
export type ReconciliationTrigger = (typeof ReconciliationTrigger)[keyof typeof ReconciliationTrigger];

/**
 * When a session was last reconciled with WAHA (a chats.sync queued by the ReconciliationWorker),
 * one row per session that has been WORKING since reconciliation was turned on. The row is the
 * lock replicas claim, so a session is never reconciled twice within RECONCILE_MIN_GAP_MS. Written
 * and read only by reconciliation-sql.ts, across tenants on purpose (as the outbox is): not
 * tenant-filtered; every row names its session's tenant.
 */
export const SessionReconciliationSchema = defineEntity({
  name: 'SessionReconciliation',
  tableName: 'session_reconciliations',
  properties: {
    session: () => p.manyToOne(WhatsappSession).primary().deleteRule('cascade'),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    /**
     * When the first periodic reconciliation is due: a random point within one interval of the
     * row's creation, so sessions first seen together (all of them, after a deploy) spread out.
     */
    firstDueAt: p.datetime(),
    lastQueuedAt: p.datetime().nullable(),
    lastTrigger: p.enum(() => ReconciliationTrigger).nullable(),
    /** Also the baseline for reconnects before the first reconciliation: a WORKING since then is one. */
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class SessionReconciliation extends SessionReconciliationSchema.class {}
SessionReconciliationSchema.setClass(SessionReconciliation);
