import { defineEntity, p } from '@mikro-orm/core';
import { Tenant } from '../tenants/tenant.entity.js';

/**
 * Every WAHA event this service accepted, keyed by WAHA's event id (`evt_…`, the same on
 * every retry). It is inserted in the same transaction as the event's effect, first, with
 * ON CONFLICT DO NOTHING: a second delivery finds the row and changes nothing. Not
 * tenant-filtered: only the webhook endpoint writes it, across tenants on purpose.
 */
export const WebhookEventSchema = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_events',
  properties: {
    id: p.string().length(100).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    sessionId: p.string().length(54),
    event: p.string().length(40),
    /** WAHA's timestamp of the event: orders a session's status events, which WAHA delivers unordered. */
    occurredAt: p.datetime(),
    receivedAt: p.datetime(),
  },
  indexes: [{ properties: ['receivedAt'] }, { properties: ['sessionId', 'event', 'occurredAt'] }],
});

export class WebhookEvent extends WebhookEventSchema.class {}
WebhookEventSchema.setClass(WebhookEvent);
