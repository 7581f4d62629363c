import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase, withDatabase } from '../../src/database/databases.js';
import { TEST_DB_PREFIX, TEST_SERVER_URL } from '../support/env.js';

// A database of the benchmark's own: created empty and migrated by the first replica
// (MIGRATIONS_RUN), not cloned from the tests' template (whose name hashes the .ts migrations,
// which dist/ does not have). The test prefix lets a crashed run's database be cleared like a test's.

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `${TEST_DB_PREFIX}bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await createDatabase(TEST_SERVER_URL, name);
  return { name, url: withDatabase(TEST_SERVER_URL, name), drop: () => dropDatabase(TEST_SERVER_URL, name) };
}
