import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig, migrationsDir } from '../../mikro-orm.config.js';
import {
  createDatabase,
  dropDatabase,
  withAdminConnection,
  withDatabase,
} from '../../src/database/databases.js';
import { TEST_DB_PREFIX, TEST_SERVER_URL } from './env.js';

/** The template's name carries a hash of the migrations, so a changed migration gets a new template. */
function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsDir)
    .filter((name) => name.endsWith('.ts'))
    .sort()) {
    hash.update(file).update(readFileSync(`${migrationsDir}/${file}`));
  }
  return `${TEST_DB_PREFIX}tpl_${hash.digest('hex').slice(0, 12)}`;
}
const TEMPLATE_DB = templateName();

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const TEMPLATE_LOCK_KEY = 7_202_611_211;
let templateReady: Promise<void> | undefined;

/**
 * The template every test database clones: migrated by whichever test file gets here
 * first while the migrations are unchanged, under an advisory lock so parallel workers
 * (and parallel runs) wait for it instead of racing.
 */
function ensureTemplate(): Promise<void> {
  templateReady ??= withAdminConnection(TEST_SERVER_URL, async (execute) => {
    await execute(`select pg_advisory_lock(${TEMPLATE_LOCK_KEY})`);
    try {
      const exists = await execute(`select 1 from pg_database where datname = '${TEMPLATE_DB}'`);
      if (exists.length > 0) return;
      const building = `${TEMPLATE_DB}_building`;
      await execute(`drop database if exists "${building}" with (force)`);
      await execute(`create database "${building}"`);
      const orm = await MikroORM.init(
        createOrmConfig(withDatabase(TEST_SERVER_URL, building), { logger: () => undefined }),
      );
      try {
        await orm.migrator.up();
      } finally {
        await orm.close(true);
      }
      // Renamed only once complete: a half-migrated template is never cloned.
      await execute(`alter database "${building}" rename to "${TEMPLATE_DB}"`);
    } finally {
      await execute(`select pg_advisory_unlock(${TEMPLATE_LOCK_KEY})`);
    }
  });
  return templateReady;
}

/** A fresh, migrated database of its own (a clone of the template), for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  await ensureTemplate();
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await createDatabase(TEST_SERVER_URL, name, TEMPLATE_DB);
  return { name, url: withDatabase(TEST_SERVER_URL, name), drop: () => dropDatabase(TEST_SERVER_URL, name) };
}
