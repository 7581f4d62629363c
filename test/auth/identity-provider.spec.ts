import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CryptoKey, exportSPKI, importJWK, SignJWT } from 'jose';
import { toGlobalId } from '../../src/common/global-ids.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { JwksServer, providerKey, type ProviderKey } from '../support/jwks-server.js';
import {
  CREATE,
  ISSUER,
  providerEnv,
  type Viewer,
  VIEWER,
  viewerOverWs,
} from './support/identity-provider.js';

describe('tokens from the SaaS identity provider (JWKS)', () => {
  const idp = new JwksServer(ISSUER);
  let t: TestApp;
  let rsa: ProviderKey;
  let ec: ProviderKey;
  /** acme's row id (a UUID), and its id in the API (`tn_<uuid>`). */
  let acmeId: string;
  let acme: { id: string; slug: string };

  beforeAll(async () => {
    rsa = await providerKey('rsa-1', 'RS256');
    ec = await providerKey('ec-1', 'ES256');
    idp.keys = [rsa, ec];
    t = await startTestApp(providerEnv(await idp.start()));
    acmeId = (await t.app.get(TenantsService).ensure('acme')).id;
    acme = { id: toGlobalId('Tenant', acmeId), slug: 'acme' };
    await t.app.get(TenantsService).ensure('globex');
  });
  afterAll(async () => {
    await t.close();
    await idp.stop();
  });

  /** The one error a refused token gets, on a query and a mutation alike. */
  async function refusal(token: string): Promise<{ message: string; code: unknown }> {
    const errors = [];
    for (const query of [VIEWER, CREATE]) {
      const result = await t.gql(query, {}, { token });
      expect(result.status).toBe(200);
      expect(result.data).toBeNull();
      expect(result.errors).toHaveLength(1);
      errors.push({ message: result.errors![0]!.message, code: result.errors![0]!.extensions?.['code'] });
    }
    expect(errors[1]).toEqual(errors[0]);
    return errors[0]!;
  }

  it('accepts RS256 and ES256 tokens, the tenant named by id, API id or slug, on /graphql', async () => {
    const byId = await idp.sign(rsa, { sub: 'alice', org: acmeId, permissions: ['member'] });
    expect((await t.gql<Viewer>(VIEWER, {}, { token: byId })).data).toEqual({
      viewer: { userId: 'alice', roles: ['member'], tenant: acme },
    });
    // The id viewer.tenant.id shows, as a provider may have stored it.
    const byApiId = await idp.sign(ec, { sub: 'erin', org: acme.id, permissions: ['viewer'] });
    expect((await t.gql<Viewer>(VIEWER, {}, { token: byApiId })).data).toEqual({
      viewer: { userId: 'erin', roles: ['viewer'], tenant: acme },
    });
    const bySlug = await idp.sign(ec, { sub: 'bob', org: 'acme', permissions: 'admin' });
    expect((await t.gql<Viewer>(VIEWER, {}, { token: bySlug })).data).toEqual({
      viewer: { userId: 'bob', roles: ['admin'], tenant: acme },
    });
    const created = await t.gql(CREATE, {}, { token: bySlug });
    expect(created.errors).toBeUndefined();
  });

  it('keeps tenants apart: a token for globex sees none of acme', async () => {
    const acme = await idp.sign(rsa, { sub: 'alice', org: 'acme', permissions: ['admin'] });
    const globex = await idp.sign(ec, { sub: 'carol', org: 'globex', permissions: ['admin'] });
    await t.gql(CREATE, {}, { token: acme });
    const query = '{ whatsappSessions { edges { node { id } } } }';
    const seen = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(query, {}, { token: globex });
    expect(seen.data!.whatsappSessions.edges).toEqual([]);
    const own = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(query, {}, { token: acme });
    expect(own.data!.whatsappSessions.edges.length).toBeGreaterThan(0);
  });

  it('accepts them over graphql-ws too', async () => {
    const token = await idp.sign(ec, { sub: 'bob', org: 'acme', permissions: 'viewer' });
    expect(await viewerOverWs(t, token)).toEqual({
      data: { viewer: { userId: 'bob', roles: ['viewer'], tenant: acme } },
    });
  });

  it('reads roles from a list or a space- or comma-separated string, ignoring roles that are not ours', async () => {
    for (const [permissions, roles] of [
      ['member offline_access', ['member']],
      ['viewer,admin', ['admin', 'viewer']],
      [
        ['uma_authorization', 'member', 'viewer'],
        ['member', 'viewer'],
      ],
    ] as const) {
      const token = await idp.sign(rsa, { sub: 'alice', org: 'acme', permissions });
      const result = await t.gql<Viewer>(VIEWER, {}, { token });
      expect(result.data?.viewer.roles).toEqual(roles);
    }
  });

  it('refuses a token that grants none of our roles (FORBIDDEN), and roles of the wrong shape', async () => {
    for (const permissions of [undefined, [], 'offline_access', ['superuser']]) {
      const token = await idp.sign(rsa, {
        sub: 'alice',
        org: 'acme',
        ...(permissions ? { permissions } : {}),
      });
      expect(await refusal(token)).toEqual({
        message: 'The token grants none of the roles admin, member, viewer (claim "permissions")',
        code: 'FORBIDDEN',
      });
    }
    const token = await idp.sign(rsa, { sub: 'alice', org: 'acme', permissions: { admin: true } });
    expect(await refusal(token)).toEqual({
      message:
        'The token\'s roles (claim "permissions") must be a list or a space- or comma-separated string',
      code: 'UNAUTHENTICATED',
    });
  });

  it.each<
    [string, (idp: JwksServer, keys: { rsa: ProviderKey; ec: ProviderKey }) => Promise<string>, string]
  >([
    [
      'a wrong issuer',
      (idp, { rsa }) =>
        idp.sign(
          rsa,
          { sub: 'alice', org: 'acme', permissions: 'admin' },
          { issuer: 'https://evil.example/' },
        ),
      "The token's issuer is not the configured identity provider",
    ],
    [
      'a wrong audience',
      (idp, { ec }) =>
        idp.sign(ec, { sub: 'alice', org: 'acme', permissions: 'admin' }, { audience: 'another-api' }),
      'The token is not meant for this service (audience)',
    ],
    [
      'an expired token',
      (idp, { rsa }) =>
        idp.sign(
          rsa,
          { sub: 'alice', org: 'acme', permissions: 'admin' },
          { expiresAt: Math.floor(Date.now() / 1000) - 60 },
        ),
      'The token has expired',
    ],
    [
      'an unknown kid',
      (idp, { rsa }) =>
        idp.sign(rsa, { sub: 'alice', org: 'acme', permissions: 'admin' }, { kid: 'nobody-knows' }),
      'The token\'s signing key (kid "nobody-knows") is not among the identity provider\'s keys',
    ],
    [
      "a key that is not the provider's, under a kid that is",
      async (idp) =>
        idp.sign(await providerKey('rsa-1', 'RS256'), { sub: 'alice', org: 'acme', permissions: 'admin' }),
      'The token signature is invalid',
    ],
    [
      'no user',
      (idp, { rsa }) => idp.sign(rsa, { org: 'acme', permissions: 'admin' }),
      'The token carries no user (claim "sub")',
    ],
    [
      'no tenant',
      (idp, { rsa }) => idp.sign(rsa, { sub: 'alice', tid: 'acme', permissions: 'admin' }),
      'The token carries no tenant (claim "org")',
    ],
    [
      'a tenant id that does not exist',
      (idp, { rsa }) =>
        idp.sign(rsa, { sub: 'alice', org: '00000000-0000-4000-8000-000000000000', permissions: 'admin' }),
      "The token's tenant does not exist",
    ],
    [
      'a tenant slug that does not exist',
      (idp, { ec }) => idp.sign(ec, { sub: 'alice', org: 'initech', permissions: 'admin' }),
      "The token's tenant does not exist",
    ],
  ])('refuses %s with UNAUTHENTICATED and says why', async (_case, make, message) => {
    expect(await refusal(await make(idp, { rsa, ec }))).toEqual({ message, code: 'UNAUTHENTICATED' });
  });

  it('still accepts dashboard tokens (HS256), and refuses one forged with HMAC over the public key', async () => {
    const dashboard = await t.token('acme', { userId: 'dana', roles: ['member'] });
    expect((await t.gql<Viewer>(VIEWER, {}, { token: dashboard })).data?.viewer.userId).toBe('dana');

    // Algorithm confusion: the provider's public key (known to anyone) used as an HMAC secret.
    const publicPem = await exportSPKI(await publicKeyOf(rsa));
    for (const secret of [publicPem, JSON.stringify(rsa.publicJwk)]) {
      const forged = await new SignJWT({ org: 'acme', tid: acmeId, roles: ['admin'], permissions: 'admin' })
        .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
        .setSubject('mallory')
        .setIssuer(ISSUER)
        .setAudience('whatsapp-hub')
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(secret));
      expect(await refusal(forged)).toEqual({
        message: 'The token signature is invalid',
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('refuses algorithms that are neither HS256 nor the provider’s, and unsigned tokens', async () => {
    const hs512 = await new SignJWT({ tid: acmeId, roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('mallory')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(t.config.jwt.secret));
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'm', org: 'acme', exp: 9999999999 })).toString('base64url')}.`;
    for (const token of [hs512, none]) {
      expect(await refusal(token)).toEqual({
        message:
          "The token's algorithm is not accepted: HS256 for dashboard tokens, RS256 or ES256 from the identity provider",
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('never takes a slug shaped like a tenant id, so a tenant claim names one or the other', async () => {
    await expect(
      t.app.get(TenantsService).ensure('0f8fad5b-d9cb-469f-a165-70867728950e'),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });

  it("verifies a token without kid with whichever of the provider's keys fits it", async () => {
    const extra = await providerKey('rsa-extra', 'RS256');
    idp.keys = [rsa, ec, extra];
    const claims = { sub: 'alice', org: 'acme', permissions: 'viewer' };
    // A token of the new key makes the JWKS be fetched again: now two RSA keys are known.
    const withKid = await idp.sign(extra, claims);
    await eventually(async () => {
      expect((await t.gql<Viewer>(VIEWER, {}, { token: withKid })).data?.viewer.userId).toBe('alice');
    });
    for (const key of [rsa, extra, ec]) {
      const token = await idp.sign(key, claims, { kid: null });
      expect((await t.gql<Viewer>(VIEWER, {}, { token })).data?.viewer.userId).toBe('alice');
    }
    const foreign = await idp.sign(await providerKey('x', 'RS256'), claims, { kid: null });
    expect(await refusal(foreign)).toEqual({
      message: 'The token signature is invalid',
      code: 'UNAUTHENTICATED',
    });
    idp.keys = [rsa, ec];
  });

  it('follows a key rotation: a new kid works after the refetch, a removed key is refused', async () => {
    const before = await idp.sign(rsa, { sub: 'alice', org: 'acme', permissions: 'admin' });
    expect((await t.gql<Viewer>(VIEWER, {}, { token: before })).data?.viewer.userId).toBe('alice');

    const next = await providerKey('rsa-2', 'RS256');
    idp.keys = [next, ec];
    const after = await idp.sign(next, { sub: 'alice', org: 'acme', permissions: 'admin' });
    // The refetch waits out the cooldown since the last fetch (100 ms here), then finds rsa-2.
    await eventually(async () => {
      expect((await t.gql<Viewer>(VIEWER, {}, { token: after })).data?.viewer.userId).toBe('alice');
    });
    expect(await viewerOverWs(t, after)).toMatchObject({ data: { viewer: { userId: 'alice' } } });

    // A token of the removed key, though validly signed and unexpired, no longer gets in.
    expect(await refusal(before)).toEqual({
      message: 'The token\'s signing key (kid "rsa-1") is not among the identity provider\'s keys',
      code: 'UNAUTHENTICATED',
    });
    expect(await viewerOverWs(t, before)).toEqual({
      closed: {
        code: 4403,
        reason:
          'Forbidden: The token\'s signing key (kid "rsa-1") is not among the identity provider\'s keys',
      },
    });
  });
});

async function publicKeyOf(key: ProviderKey): Promise<CryptoKey> {
  return (await importJWK(key.publicJwk, key.alg)) as CryptoKey;
}
