import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { startTestApp, type TestApp } from '../support/app.js';

const VIEWER = 'query { viewer { userId roles tenant { slug } } }';
const CREATE = 'mutation { createWhatsappSession(input: { displayName: "x" }) { id } }';

describe('dashboard tokens on /graphql', () => {
  let t: TestApp;
  let tenantId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const token = await t.token('acme', { userId: 'alice' });
    tenantId = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { tid: string }).tid;
  });
  afterAll(() => t.close());

  function sign(
    claims: Record<string, unknown>,
    secret = t.config.jwt.secret,
    expiresAt: number | string = '1h',
  ) {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(secret));
  }

  it('accepts a valid token and tells who it belongs to', async () => {
    const token = await sign({ tid: tenantId, roles: ['member'] });
    const result = await t.gql(VIEWER, {}, { token });
    expect(result.data).toEqual({ viewer: { userId: 'alice', roles: ['member'], tenant: { slug: 'acme' } } });
  });

  it.each<[string, () => Promise<Record<string, string>>, string]>([
    [
      'no Authorization header',
      async () => ({}),
      'A dashboard token, identity-provider token or API key is required (Authorization: Bearer <token>)',
    ],
    [
      'another scheme',
      async () => ({ authorization: 'Basic YWxpY2U6cGFzcw==' }),
      'A dashboard token, identity-provider token or API key is required (Authorization: Bearer <token>)',
    ],
    [
      'a malformed token',
      async () => ({ authorization: 'Bearer not.a.jwt' }),
      'The token is not a valid dashboard token',
    ],
    [
      'an expired token',
      async () => ({
        authorization: `Bearer ${await sign({ tid: tenantId, roles: [] }, undefined, Math.floor(Date.now() / 1000) - 60)}`,
      }),
      'The token has expired',
    ],
    [
      'a token signed with another secret',
      async () => ({
        authorization: `Bearer ${await sign({ tid: tenantId, roles: [] }, 'another-secret-of-at-least-32-characters!')}`,
      }),
      'The token signature is invalid',
    ],
    [
      'a token without a tenant',
      async () => ({ authorization: `Bearer ${await sign({ roles: [] })}` }),
      'The token is not a valid dashboard token',
    ],
    [
      'a token of a tenant that does not exist',
      async () => ({
        authorization: `Bearer ${await sign({ tid: '00000000-0000-4000-8000-000000000000', roles: [] })}`,
      }),
      "The token's tenant does not exist",
    ],
    [
      'a token with an unknown role',
      async () => ({ authorization: `Bearer ${await sign({ tid: tenantId, roles: ['root'] })}` }),
      "The token's roles must be a list of admin, member, viewer",
    ],
    [
      'a token without expiry',
      async () => ({
        authorization: `Bearer ${await new SignJWT({ tid: tenantId }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(new TextEncoder().encode(t.config.jwt.secret))}`,
      }),
      'The token is not a valid dashboard token',
    ],
    [
      'an unsigned token (alg none)',
      async () => ({
        authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', tid: tenantId, exp: 9999999999 })).toString('base64url')}.`,
      }),
      'The token is not a valid dashboard token',
    ],
  ])('refuses %s with UNAUTHENTICATED, on queries and mutations alike', async (_case, headers, message) => {
    for (const query of [VIEWER, CREATE]) {
      const result = await t.gql(query, {}, { headers: await headers() });
      expect(result.data).toBeNull();
      expect(result.errors).toEqual([
        {
          message,
          locations: expect.any(Array),
          path: [expect.any(String)],
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ]);
    }
    const sessions = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(
      '{ whatsappSessions { edges { cursor } } }',
      {},
      { token: await t.token('acme') },
    );
    expect(sessions.data!.whatsappSessions.edges).toHaveLength(0);
  });

  it('lets a viewer read but not change anything (FORBIDDEN)', async () => {
    const token = await t.token('acme', { roles: ['viewer'] });
    expect((await t.gql('{ whatsappSessions { edges { cursor } } }', {}, { token })).errors).toBeUndefined();
    const result = await t.gql(CREATE, {}, { token });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'This operation needs one of the roles: admin, member',
        extensions: { code: 'FORBIDDEN' },
      }),
    ]);
  });

  it('never sends a stack trace: an unexpected failure is INTERNAL_SERVER_ERROR with an error id', async () => {
    const token = await t.token('acme');
    const broken = await startTestApp({}, t.db);
    try {
      const { MikroORM } = await import('@mikro-orm/core');
      await broken.app
        .get(MikroORM)
        .em.getConnection()
        .execute('alter table whatsapp_sessions rename to whatsapp_sessions_gone');
      const result = await broken.gql('{ whatsappSessions { edges { cursor } } }', {}, { token });
      expect(result.errors).toEqual([
        {
          message: 'Internal server error',
          locations: expect.any(Array),
          path: ['whatsappSessions'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        },
      ]);
      expect(JSON.stringify(result)).not.toMatch(/whatsapp_sessions|at .*\.js|stack/i);
    } finally {
      await broken.app
        .get((await import('@mikro-orm/core')).MikroORM)
        .em.getConnection()
        .execute('alter table whatsapp_sessions_gone rename to whatsapp_sessions');
      await broken.app.close();
    }
  });
});
