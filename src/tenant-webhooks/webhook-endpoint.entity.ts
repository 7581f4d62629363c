import { defineEntity, p } from '@mikro-orm/core';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';

/**
 * A tenant's own HTTP endpoint, told about its events (Standard Webhooks). The signing secret
 * must be read back to sign, so it cannot be hashed; it is read only by the deliverer and never
 * logged or returned after creation/rotation. After a rotation the previous secret still signs
 * beside the new one until `previousSecretExpiresAt`, so receivers can switch without a gap.
 */
export const TenantWebhookEndpointSchema = defineEntity({
  name: 'TenantWebhookEndpoint',
  tableName: 'tenant_webhook_endpoints',
  filters: { tenant: tenantFilter },
  properties: {
    id: p.uuid().primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    url: p.text(),
    /** Standard Webhooks event types (`message.received`, ...); see WEBHOOK_EVENT_TYPES. */
    events: p.array(),
    description: p.text().nullable(),
    enabled: p.boolean(),
    /** Why the service disabled it (shown to the tenant); null when enabled or disabled by the tenant. */
    disabledReason: p.text().nullable(),
    secret: p.text(),
    previousSecret: p.text().nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    /** Failed attempts in a row; reset by a success. At TENANT_WEBHOOKS_DISABLE_AFTER_FAILURES it is disabled. */
    consecutiveFailures: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
  indexes: [{ properties: ['tenant'] }],
});

export class TenantWebhookEndpoint extends TenantWebhookEndpointSchema.class {}
TenantWebhookEndpointSchema.setClass(TenantWebhookEndpoint);
