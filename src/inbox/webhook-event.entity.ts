import { defineEntity, p } from '@mikro-orm/core';
import { Tenant } from '../tenants/tenant.entity.js';

/**
 * Every WAHA event this service accepted, keyed by its session and WAHA's event id (`evt_…`,
 * the same on every retry). It is inserted in the same transaction as the event's effect,
 * first, with ON CONFLICT DO NOTHING: a second delivery finds the row and changes nothing.
 * The session is part of the key because each WAHA makes its event ids itself: an id is
 * unique within what one WAHA sends, not across tenants' sessions (one WAHA or several), so
 * an event of another session with the same id is news, never a duplicate. Not
 * tenant-filtered: written only through webhook-events.ts, for the webhook endpoint's events,
 * across tenants on purpose.
 */
export const WebhookEventSchema = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_events',
  properties: {
    sessionId: p.string().length(54).primary(),
    id: p.string().length(100).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    event: p.string().length(40),
    /** WAHA's timestamp of the event: orders a session's status events, which WAHA delivers unordered. */
    occurredAt: p.datetime(),
    receivedAt: p.datetime(),
  },
  indexes: [{ properties: ['receivedAt'] }, { properties: ['sessionId', 'event', 'occurredAt'] }],
});

export class WebhookEvent extends WebhookEventSchema.class {}
WebhookEventSchema.setClass(WebhookEvent);
