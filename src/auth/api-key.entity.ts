import { defineEntity, p } from '@mikro-orm/core';
import { auditProperties } from '../common/audit.js';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';

/**
 * A tenant's API key. Only the key's SHA-256 is kept (`hash`): the key itself is shown once, at
 * creation, and can never be read back. `prefix` (the key's first characters) lets people tell
 * their keys apart.
 */
export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  filters: { tenant: tenantFilter },
  properties: {
    id: p.string().length(26).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    name: p.string().length(100),
    /** What the key may do (Scope values), at least one. */
    scopes: p.array(),
    /** SHA-256 of the whole key, hex: the lookup on every request (unique index). */
    hash: p.string().length(64).unique().hidden(),
    prefix: p.string().length(16),
    expiresAt: p.datetime().nullable(),
    /** Written at most once a minute per key, not on every request. */
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    ...auditProperties,
  },
});

export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);
