import { type EntityManager } from '@mikro-orm/core';
import { type SqlEntityManager } from '@mikro-orm/postgresql';

/** Raw SQL through the ORM's connection, in `em`'s transaction when it has one. */
export function sqlOf(em: EntityManager): SqlEntityManager {
  return em as SqlEntityManager;
}
