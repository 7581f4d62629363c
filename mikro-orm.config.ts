import { fileURLToPath } from 'node:url';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { parseEnv } from './src/config/env.js';
import { entities } from './src/entities.js';

/**
 * Resolved next to this file, so the built app finds `dist/src/migrations/*.js`
 * and ts-jest (and migration:create) find `src/migrations/*.ts`.
 */
export const migrationsDir = fileURLToPath(new URL('./src/migrations', import.meta.url));

export function createOrmConfig(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    forceUtcTimezone: true,
    // Reads that a service did not scope to a tenant must fail, not leak: see tenant-filter.ts.
    filtersOnRelations: true,
    pool: { min: 0, max: 10 },
    migrations: {
      path: migrationsDir,
      glob: '!(*.d).{js,ts}',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
    ...overrides,
  });
}

export default createOrmConfig(parseEnv().databaseUrl);
