import { defineEntity, p } from '@mikro-orm/core';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { TenantWebhookEndpoint } from './webhook-endpoint.entity.js';

export const WebhookDeliveryStatus = {
  PENDING: 'PENDING',
  DELIVERED: 'DELIVERED',
  /** Gave up after TENANT_WEBHOOKS_MAX_ATTEMPTS; a replay queues it again. */
  FAILED: 'FAILED',
} as const;
export type WebhookDeliveryStatus = (typeof WebhookDeliveryStatus)[keyof typeof WebhookDeliveryStatus];

/**
 * One event for one endpoint: a transactional outbox row, written by the same statement or
 * transaction as the change it reports (see deliveriesInsertSql), and a job the deliverer claims
 * (`lockedUntil`, FOR UPDATE SKIP LOCKED). Its id is the event's `webhook-id`, so retries and
 * replays carry the same id and receivers can deduplicate.
 */
export const TenantWebhookDeliverySchema = defineEntity({
  name: 'TenantWebhookDelivery',
  tableName: 'tenant_webhook_deliveries',
  filters: { tenant: tenantFilter },
  properties: {
    id: p.uuid().primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    endpoint: () => p.manyToOne(TenantWebhookEndpoint).deleteRule('cascade'),
    eventType: p.string().length(64),
    /** The exact JSON body sent: `{type, timestamp, data}`. */
    payload: p.json<Record<string, unknown>>(),
    status: p.enum(() => WebhookDeliveryStatus),
    /** Every attempt ever made (numbers the log). */
    attempts: p.integer(),
    /** Attempts since it was last queued (backoff and the attempt limit; a replay resets it). */
    retries: p.integer(),
    nextAttemptAt: p.datetime(),
    lockedUntil: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    lastError: p.text().nullable(),
    createdAt: p.datetime(),
    deliveredAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['status', 'nextAttemptAt'] }, { properties: ['endpoint', 'createdAt'] }],
});

export class TenantWebhookDelivery extends TenantWebhookDeliverySchema.class {}
TenantWebhookDeliverySchema.setClass(TenantWebhookDelivery);

/** One HTTP attempt of a delivery, as the tenant sees it in the delivery log. */
export const TenantWebhookAttemptSchema = defineEntity({
  name: 'TenantWebhookAttempt',
  tableName: 'tenant_webhook_attempts',
  filters: { tenant: tenantFilter },
  properties: {
    id: p.uuid().primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    delivery: () => p.manyToOne(TenantWebhookDelivery).deleteRule('cascade'),
    attempt: p.integer(),
    statusCode: p.integer().nullable(),
    latencyMs: p.integer(),
    error: p.text().nullable(),
    /** At most 256 bytes of the answer: enough to debug, never a stored copy of it. */
    responseExcerpt: p.text().nullable(),
    createdAt: p.datetime(),
  },
  indexes: [{ properties: ['delivery', 'attempt'] }],
});

export class TenantWebhookAttempt extends TenantWebhookAttemptSchema.class {}
TenantWebhookAttemptSchema.setClass(TenantWebhookAttempt);
