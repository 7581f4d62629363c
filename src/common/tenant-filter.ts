/**
 * Tenant isolation, enforced by the ORM: every tenant-owned entity declares this filter,
 * enabled by default. It fails closed: a read that runs without a tenant throws instead of
 * returning every tenant's rows. The tenant is set once per request from the caller's
 * credentials (`em.setFilterParams(TENANT_FILTER, { tenantId })`); code that must cross
 * tenants on purpose (webhooks, n8n write-backs, the outbox) says so with `filters: { tenant: false }`.
 */
export const TENANT_FILTER = 'tenant';

export interface TenantFilterParams {
  tenantId?: string;
}

export class MissingTenantError extends Error {
  constructor() {
    super(
      'Tenant-scoped query without a tenant: set the tenant filter params or disable the filter explicitly',
    );
    this.name = 'MissingTenantError';
  }
}

export const tenantFilter = {
  name: TENANT_FILTER,
  default: true,
  cond: (params: TenantFilterParams | undefined) => {
    if (!params?.tenantId) throw new MissingTenantError();
    return { tenant: params.tenantId };
  },
};
