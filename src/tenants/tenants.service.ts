import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { Tenant } from './tenant.entity.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const EXISTS_TTL_MS = 30_000;

@Injectable()
export class TenantsService {
  /** Tenant ids seen recently, so a request does not cost a query to check its token's tenant. */
  private readonly known = new Map<string, number>();

  constructor(private readonly em: EntityManager) {}

  async exists(id: string): Promise<boolean> {
    const seenAt = this.known.get(id);
    if (seenAt !== undefined && Date.now() - seenAt < EXISTS_TTL_MS) return true;
    const count = await this.em.fork().count(Tenant, { id });
    if (count > 0) this.known.set(id, Date.now());
    return count > 0;
  }

  async findById(id: string): Promise<Tenant | null> {
    return this.em.fork().findOne(Tenant, { id });
  }

  /** Returns the tenant with this slug, creating it (named `name`, else the slug) if missing. */
  async ensure(slug: string, name?: string): Promise<Tenant> {
    if (!SLUG.test(slug)) {
      throw DomainError.badInput(
        'slug',
        'A tenant slug is 1 to 40 lowercase letters, digits and inner dashes',
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
