import { parseEnv } from '../../src/config/env.js';

/** The server tests use: TEST_DATABASE_URL, else DATABASE_URL, else local PostgreSQL. */
export const TEST_SERVER_URL =
  process.env['TEST_DATABASE_URL'] ??
  process.env['DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** Every test database's name starts with this, so a run can clear what a crashed run left. */
export const TEST_DB_PREFIX = 'whatsapp_hub_test_';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A config for tests: the given overrides on top of a quiet test environment. */
export function testConfig(overrides: Record<string, string> = {}) {
  return parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    MIGRATIONS_RUN: 'false',
    WEBHOOK_PROBE_ON_CREATE: 'false',
    OUTBOX_DISPATCH: 'false',
    // Off unless a test turns them on: a paced send or a periodic sync would change what most tests assert.
    SEND_PACING_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
    TENANT_WEBHOOKS_DISPATCH: 'false',
    ...overrides,
  });
}
