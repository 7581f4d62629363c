/**
 * npm run schema:generate  write schema/*.graphql from the code
 * npm run schema:check     fail when schema/*.graphql differs from what the code serves
 *
 * The SDL is what each endpoint really serves: the app boots on a loopback port and each
 * endpoint is introspected as a client would, then printed sorted.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildClientSchema,
  getIntrospectionQuery,
  type IntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
} from 'graphql';
import { createApp } from '../bootstrap.js';
import { GRAPHQL_ENDPOINTS } from '../graphql/graphql-endpoints.js';
import { parseEnv } from '../config/env.js';
import { withDatabase } from '../database/databases.js';

const mode = process.argv[2];
if (mode !== 'write' && mode !== 'check') {
  console.error('usage: schema.js write|check');
  process.exit(2);
}

const base = parseEnv();
// Booting needs a reachable database but runs no query: the maintenance database always exists.
const config = parseEnv({
  ...process.env,
  DATABASE_URL: withDatabase(base.databaseUrl, 'postgres'),
  MIGRATIONS_RUN: 'false',
  OUTBOX_DISPATCH: 'false',
  TENANT_WEBHOOKS_DISPATCH: 'false',
  LOG_LEVEL: 'warn',
  GRAPHQL_INTROSPECTION: 'true',
  REDIS_URL: '',
  HOST: '127.0.0.1',
  PORT: '0',
});
const app = await createApp(config, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

let drifted = 0;
try {
  for (const endpoint of GRAPHQL_ENDPOINTS) {
    const response = await fetch(`${url}${endpoint.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...endpoint.introspectionHeaders(config) },
      body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) }),
    });
    const body = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown };
    if (!body.data)
      throw new Error(`Introspection of ${endpoint.path} failed: ${JSON.stringify(body.errors)}`);
    const sdl = `${printSchema(lexicographicSortSchema(buildClientSchema(body.data)))}\n`;
    const file = path.resolve(endpoint.schemaFile);
    if (mode === 'write') {
      await writeFile(file, sdl);
      console.log(`Wrote ${endpoint.schemaFile}`);
      continue;
    }
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed === sdl) {
      console.log(`schema:check: ${endpoint.schemaFile} matches ${endpoint.path}`);
    } else {
      drifted += 1;
      console.error(
        `schema:check: ${endpoint.schemaFile} differs from what ${endpoint.path} serves. Run \`npm run schema:generate\` and commit it.`,
      );
    }
  }
} finally {
  await app.close();
}
process.exitCode = drifted > 0 ? 1 : 0;
