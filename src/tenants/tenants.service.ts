import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { keyIfGlobal } from '../common/global-ids.js';
import { DomainError } from '../common/domain-error.js';
import { Tenant } from './tenant.entity.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** A tenant's id. A slug never has this shape, so a token's tenant claim names one or the other. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXISTS_TTL_MS = 30_000;

@Injectable()
export class TenantsService {
  /** Tenant ids seen recently, so a request does not cost a query to check its token's tenant. */
  private readonly known = new Map<string, number>();
  /** Slug → id, seen recently: an identity provider's token may name its tenant by slug. */
  private readonly slugs = new Map<string, { id: string; seenAt: number }>();

  constructor(private readonly em: EntityManager) {}

  async exists(id: string): Promise<boolean> {
    const seenAt = this.known.get(id);
    if (seenAt !== undefined && Date.now() - seenAt < EXISTS_TTL_MS) return true;
    const count = await this.em.fork().count(Tenant, { id });
    if (count > 0) this.known.set(id, Date.now());
    return count > 0;
  }

  /**
   * The id of the tenant a token's claim names: an id is returned as it is (the caller checks it
   * exists, as for a dashboard token), a slug is looked up; undefined for an unknown slug or a
   * value that is neither.
   */
  async idFromClaim(value: string): Promise<string | undefined> {
    if (TENANT_ID.test(value)) return value.toLowerCase();
    // The tenant's id as the public API shows it (viewer.tenant.id) names it too.
    const key = keyIfGlobal('Tenant', value);
    if (key) return key;
    if (!SLUG.test(value)) return undefined;
    const cached = this.slugs.get(value);
    if (cached && Date.now() - cached.seenAt < EXISTS_TTL_MS) return cached.id;
    const tenant = await this.em.fork().findOne(Tenant, { slug: value }, { fields: ['id'] });
    if (!tenant) return undefined;
    this.slugs.set(value, { id: tenant.id, seenAt: Date.now() });
    // Found just now: the caller's exists() check need not ask again.
    this.known.set(tenant.id, Date.now());
    return tenant.id;
  }

  async findById(id: string): Promise<Tenant | null> {
    return this.em.fork().findOne(Tenant, { id });
  }

  /** Returns the tenant with this slug, creating it (named `name`, else the slug) if missing. */
  async ensure(slug: string, name?: string): Promise<Tenant> {
    if (!SLUG.test(slug) || TENANT_ID.test(slug)) {
      throw DomainError.badInput(
        'slug',
        'A tenant slug is 1 to 40 lowercase letters, digits and inner dashes, and not a UUID',
      );
    }
    const em = this.em.fork();
    const existing = await em.findOne(Tenant, { slug });
    if (existing) return existing;
    try {
      const tenant = em.create(Tenant, { id: crypto.randomUUID(), slug, name: name ?? slug });
      await em.flush();
      return tenant;
    } catch (error) {
      // Two callers raced to create it; the other one won.
      if (error instanceof UniqueConstraintViolationException)
        return em.fork().findOneOrFail(Tenant, { slug });
      throw error;
    }
  }
}
