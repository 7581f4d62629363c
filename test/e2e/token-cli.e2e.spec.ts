import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { decodeJwt } from 'jose';
import { TEST_DB_PREFIX, TEST_SERVER_URL } from '../support/env.js';

const run = promisify(execFile);

/**
 * `npm run token -- … --quiet` as the README uses it: `TOKEN=$(…)`. Its first run on a new
 * database creates and migrates it, and the migrator's lines once landed in the token.
 * Runs the compiled CLI (the test command builds before any suite).
 */
describe('the token CLI', () => {
  const name = `${TEST_DB_PREFIX}${process.pid}_tokencli`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;

  afterAll(async () => {
    const server = new URL(TEST_SERVER_URL);
    server.pathname = '/postgres';
    const orm = await MikroORM.init({
      clientUrl: server.toString(),
      entities: [],
      discovery: { warnWhenNoEntities: false },
    });
    await orm.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
    await orm.close(true);
  });

  it('prints the token alone on stdout with --quiet, also when it first migrates a new database', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['dist/src/cli/token.js', '--tenant', 'cli-co', '--user', 'alice', '--quiet'],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          DATABASE_URL: url.toString(),
          JWT_SECRET: 'cli-test-secret-0123456789abcdef',
        },
      },
    );
    const token = stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(decodeJwt(token)).toMatchObject({ sub: 'alice', roles: ['admin'] });
    // The migrations it applied are still reported, on stderr.
    expect(stderr).toMatch(/migrat/i);
  });
});
