import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TypeMetadataStorage } from '@nestjs/graphql';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { ACCESS_METADATA, type AccessRule } from '../../src/auth/access.decorators.js';
import { AccessGuard } from '../../src/auth/access.guard.js';
import { GRAPHQL_ENDPOINTS } from '../../src/graphql/graphql-endpoints.js';
import { DomainError } from '../../src/common/domain-error.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** Deny by default, proved: every root field every endpoint serves has a resolver with an access rule. */
describe('access rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ GRAPHQL_INTROSPECTION: 'true' });
  });
  afterAll(() => t.close());

  function ruleOf(target: { prototype: unknown }, methodName: string): AccessRule | undefined {
    const method = (target.prototype as Record<string, unknown>)[methodName] as object;
    return (Reflect.getMetadata(ACCESS_METADATA, method) ?? Reflect.getMetadata(ACCESS_METADATA, target)) as
      AccessRule | undefined;
  }

  it.each(GRAPHQL_ENDPOINTS.map((endpoint) => [endpoint.path, endpoint] as const))(
    'every Query, Mutation and Subscription field of %s declares who may call it',
    async (_path, endpoint) => {
      const result = await t.gql<IntrospectionQuery>(
        getIntrospectionQuery(),
        {},
        { path: endpoint.path, headers: endpoint.introspectionHeaders(t.config) },
      );
      const schema = buildClientSchema(result.data!);
      const resolvers = [
        ...TypeMetadataStorage.getQueriesMetadata().map((m) => ['Query', m] as const),
        ...TypeMetadataStorage.getMutationsMetadata().map((m) => ['Mutation', m] as const),
        ...TypeMetadataStorage.getSubscriptionsMetadata().map((m) => ['Subscription', m] as const),
      ];
      const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
        (type) => type !== null && type !== undefined,
      );
      const fields = roots.flatMap((root) =>
        Object.keys(root.getFields()).map((field) => `${root.name}.${field}`),
      );
      expect(fields.length).toBeGreaterThan(0);
      const unguarded = fields.filter((field) => {
        const [rootName, fieldName] = field.split('.');
        const matches = resolvers.filter(([root, m]) => root === rootName && m.schemaName === fieldName);
        return matches.length === 0 || matches.some(([, m]) => ruleOf(m.target, m.methodName) === undefined);
      });
      expect(unguarded).toEqual([]);
    },
  );

  it('refuses at run time a handler that declares no rule', async () => {
    class Unmarked {
      handler() {
        return 'secret';
      }
    }
    const guard = new AccessGuard(
      new Reflector(),
      undefined as never,
      undefined as never,
      t.config,
      undefined as never,
    );
    const ctx = {
      getHandler: () => Unmarked.prototype.handler,
      getClass: () => Unmarked,
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }),
    } as unknown as ExecutionContext;
    await expect(guard.canActivate(ctx)).rejects.toEqual(
      new DomainError('FORBIDDEN', 'This operation is not available'),
    );
  });
});
