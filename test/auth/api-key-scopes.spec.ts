import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TypeMetadataStorage } from '@nestjs/graphql';
import { buildSchema } from 'graphql';
import {
  ACCESS_METADATA,
  type AccessRule,
  ANY_SCOPE,
  RequireScope,
  SCOPE_METADATA,
  SCOPES,
  TenantAccess,
  USERS_ONLY_METADATA,
} from '../../src/auth/access.decorators.js';
import { AccessGuard } from '../../src/auth/access.guard.js';
import { type AuthContext } from '../../src/auth/auth-context.js';
import { DomainError } from '../../src/common/domain-error.js';
import { MediaController } from '../../src/media-api/media.controller.js';
import { startTestApp, type TestApp } from '../support/app.js';

type Target = { prototype: unknown };

function metadataOf<T>(key: string, target: Target, methodName: string): T | undefined {
  const method = (target.prototype as Record<string, unknown>)[methodName] as object;
  return (Reflect.getMetadata(key, method) ?? Reflect.getMetadata(key, target)) as T | undefined;
}

/** What an API key needs for an operation: a scope, '*' (any key), 'users only', or nothing (refused). */
function keyRuleOf(target: Target, methodName: string): string | undefined {
  if (metadataOf<string>(USERS_ONLY_METADATA, target, methodName)) return 'users only';
  return metadataOf<string>(SCOPE_METADATA, target, methodName);
}

/**
 * Deny by default for API keys, proved: every tenant operation of schema/public.graphql (and
 * the upload route) says which scope a key needs, or that keys may not call it at all.
 */
describe('API key scopes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('gives every tenant operation of the public schema a scope, or keeps it for users', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema/public.graphql', import.meta.url), 'utf8'));
    const resolvers = [
      ...TypeMetadataStorage.getQueriesMetadata().map((m) => ['Query', m] as const),
      ...TypeMetadataStorage.getMutationsMetadata().map((m) => ['Mutation', m] as const),
      ...TypeMetadataStorage.getSubscriptionsMetadata().map((m) => ['Subscription', m] as const),
    ];
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const rules: Record<string, string | undefined> = {};
    for (const root of roots) {
      for (const field of Object.keys(root?.getFields() ?? {})) {
        const [, m] = resolvers.find(([r, meta]) => r === root!.name && meta.schemaName === field) ?? [];
        expect(m).toBeDefined();
        const access = metadataOf<AccessRule>(ACCESS_METADATA, m!.target, m!.methodName);
        if (access?.kind !== 'tenant') continue;
        rules[`${root!.name}.${field}`] = keyRuleOf(m!.target, m!.methodName);
      }
    }
    const valid = [...SCOPES, ANY_SCOPE, 'users only'];
    expect(Object.entries(rules).filter(([, rule]) => !valid.includes(rule as never))).toEqual([]);
    expect(Object.keys(rules).length).toBeGreaterThan(20);
    // The ones that decide what a key is: pinned.
    expect(rules).toMatchObject({
      'Query.viewer': ANY_SCOPE,
      'Query.apiKeys': 'users only',
      'Mutation.createApiKey': 'users only',
      'Mutation.revokeApiKey': 'users only',
      'Query.messages': 'read',
      'Subscription.whatsappMessageUpserted': 'read',
      'Mutation.sendWhatsappMessage': 'send',
      'Mutation.createWhatsappSession': 'sessions',
      'Mutation.deleteWhatsappSession': 'sessions',
    });
  });

  it('gives the upload route a scope', () => {
    expect(keyRuleOf(MediaController, 'upload')).toBe('send');
  });

  describe('at run time', () => {
    class Operations {
      @TenantAccess()
      unmarked() {}

      @TenantAccess()
      @RequireScope('send')
      sending() {}
    }
    const guard = () =>
      new AccessGuard(
        new Reflector(),
        undefined as never,
        { setFilterParams: () => undefined } as never,
        t.config,
        undefined as never,
      );
    const asKey = (handler: () => void): ExecutionContext => {
      const auth: AuthContext = {
        userId: 'apikey:k',
        tenantId: '00000000-0000-4000-8000-000000000000',
        roles: ['admin'],
        apiKey: { id: 'k', scopes: ['send'] },
      };
      return {
        getHandler: () => handler,
        getClass: () => Operations,
        getType: () => 'http',
        switchToHttp: () => ({ getRequest: () => ({ headers: {}, auth }) }),
      } as unknown as ExecutionContext;
    };

    it('refuses a key an operation that names no scope', async () => {
      await expect(guard().canActivate(asKey(Operations.prototype.unmarked))).rejects.toEqual(
        new DomainError('FORBIDDEN', "API keys cannot call this operation: it needs a user's token"),
      );
    });

    it('lets a key call an operation of its scope', async () => {
      await expect(guard().canActivate(asKey(Operations.prototype.sending))).resolves.toBe(true);
    });
  });
});
