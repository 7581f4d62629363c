import { type MikroORM } from '@mikro-orm/core';
import { type Logger } from '@nestjs/common';

/** Any fixed number: replicas starting together take turns migrating instead of racing. */
const MIGRATION_LOCK_KEY = 7_202_611_210;

/** Applies pending migrations, holding a PostgreSQL advisory lock while it does. */
export async function migrateUp(orm: MikroORM, logger?: Pick<Logger, 'log'>): Promise<string[]> {
  const connection = orm.em.getConnection();
  await connection.execute(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
  try {
    const applied = await orm.migrator.up();
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) logger?.log(`Applied migrations: ${names.join(', ')}`);
    return names;
  } finally {
    await connection.execute(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
  }
}
