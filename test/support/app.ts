import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { type INestApplication } from '@nestjs/common';
import { type Role } from '../../src/auth/auth-context.js';
import { JwtService } from '../../src/auth/jwt.service.js';
import { createApp } from '../../src/bootstrap.js';
import { type AppConfig } from '../../src/config/env.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { testConfig } from './env.js';

export interface GraphqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  db: TestDatabase;
  /** A dashboard token for a user of tenant `slug` (created if missing). */
  token(slug: string, options?: { userId?: string; roles?: Role[] }): Promise<string>;
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string>; path?: string },
  ): Promise<GraphqlResult<T>>;
  close(): Promise<void>;
}

/** The real service on a loopback port, on a fresh database of its own. */
export async function startTestApp(
  env: Record<string, string> = {},
  existingDb?: TestDatabase,
): Promise<TestApp> {
  const db = existingDb ?? (await createTestDatabase());
  // Each app its own media folder (the local store), removed with it.
  const mediaDir = mkdtempSync(join(tmpdir(), 'whatsapp-hub-test-media-'));
  const config = testConfig({ DATABASE_URL: db.url, MEDIA_DIR: mediaDir, ...env });
  const app = await createApp(config, { logger: process.env['TEST_LOGS'] ? ['error', 'warn'] : false });
  await app.listen(config.port, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const jwt = app.get(JwtService);
  const tenants = app.get(TenantsService);

  return {
    app,
    config,
    url,
    db,
    async token(slug, options = {}) {
      const tenant = await tenants.ensure(slug);
      return jwt.sign({
        tenantId: tenant.id,
        userId: options.userId ?? `${slug}-user`,
        roles: options.roles ?? ['admin'],
      });
    },
    async gql(query, variables = {}, options = {}) {
      const response = await fetch(`${url}${options.path ?? '/graphql'}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphqlResult, 'status'>;
      return { status: response.status, ...body } as GraphqlResult<never>;
    },
    async close() {
      await app.close();
      rmSync(mediaDir, { recursive: true, force: true });
      if (!existingDb) await db.drop();
    },
  };
}

/** The error codes of a result, in order: the thing clients branch on. */
export function codesOf(result: GraphqlResult<unknown>): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.['code']);
}

/** Rows of the app's own database (outbox commands, webhook events), across tenants. */
export async function sql<T = Record<string, unknown>>(
  t: TestApp,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  const em = t.app.get(MikroORM).em.fork() as EntityManager;
  return em.execute<T[]>(query, params);
}
