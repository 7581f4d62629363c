/**
 * How the identity provider's JWKS is fetched: once per cooldown for unknown key ids, kept while
 * the provider is down, and a clear refusal (never a 500) when a token needs keys that cannot be
 * fetched. Split from identity-provider.spec.ts, which checks the tokens themselves.
 */
import { describe, expect, it } from '@jest/globals';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { startTestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { JwksServer, providerKey } from '../support/jwks-server.js';
import { freePort } from '../realtime/support.js';
import {
  CREATE,
  ISSUER,
  providerEnv,
  type Viewer,
  VIEWER,
  viewerOverWs,
} from './support/identity-provider.js';

describe('the identity provider’s JWKS fetches', () => {
  it('fetches once and, within the cooldown, not again for unknown kids', async () => {
    const idp = new JwksServer(ISSUER);
    const key = await providerKey('rsa-1', 'RS256');
    idp.keys = [key];
    const t = await startTestApp(providerEnv(await idp.start(), { JWT_JWKS_COOLDOWN_MS: '3600000' }));
    try {
      await t.app.get(TenantsService).ensure('acme');
      for (let i = 0; i < 3; i++) {
        const token = await idp.sign(key, { sub: 'alice', org: 'acme', permissions: 'admin' });
        expect((await t.gql<Viewer>(VIEWER, {}, { token })).errors).toBeUndefined();
      }
      expect(idp.fetches).toBe(1);
      for (let i = 0; i < 3; i++) {
        const token = await idp.sign(
          key,
          { sub: 'alice', org: 'acme', permissions: 'admin' },
          { kid: `unknown-${i}` },
        );
        expect((await t.gql(VIEWER, {}, { token })).errors?.[0]?.extensions?.['code']).toBe(
          'UNAUTHENTICATED',
        );
      }
      // A flood of made-up kids does not become a flood of fetches at the provider.
      expect(idp.fetches).toBe(1);
    } finally {
      await t.close();
      await idp.stop();
    }
  });

  it('keeps the keys it fetched when the provider goes down: only tokens needing a new fetch are refused', async () => {
    const idp = new JwksServer(ISSUER);
    const key = await providerKey('rsa-1', 'RS256');
    idp.keys = [key];
    const t = await startTestApp(providerEnv(await idp.start(), { JWT_JWKS_COOLDOWN_MS: '1000' }));
    try {
      await t.app.get(TenantsService).ensure('acme');
      const token = await idp.sign(key, { sub: 'alice', org: 'acme', permissions: 'member' });
      expect((await t.gql<Viewer>(VIEWER, {}, { token })).data?.viewer.userId).toBe('alice');
      await idp.stop();

      const unknown = await idp.sign(
        key,
        { sub: 'alice', org: 'acme', permissions: 'member' },
        { kid: 'rsa-2' },
      );
      // Once the cooldown since the first fetch has passed, the new kid makes a fetch, which fails.
      await eventually(async () => {
        expect((await t.gql(VIEWER, {}, { token: unknown })).errors?.[0]?.message).toBe(
          "The identity provider's keys could not be fetched: try again later",
        );
      });
      // Meanwhile the key fetched before still verifies its tokens.
      expect((await t.gql<Viewer>(VIEWER, {}, { token })).data?.viewer.userId).toBe('alice');
    } finally {
      await t.close();
      await idp.stop();
    }
  });

  it('says the keys could not be fetched while the provider is down (never a 500), and recovers', async () => {
    const port = await freePort();
    const idp = new JwksServer(ISSUER);
    const key = await providerKey('ec-1', 'ES256');
    idp.keys = [key];
    const t = await startTestApp(
      providerEnv(`http://127.0.0.1:${port}/.well-known/jwks.json`, { JWT_JWKS_COOLDOWN_MS: '200' }),
    );
    try {
      await t.app.get(TenantsService).ensure('acme');
      const token = await idp.sign(key, { sub: 'alice', org: 'acme', permissions: 'member' });
      for (const query of [VIEWER, CREATE]) {
        const result = await t.gql(query, {}, { token });
        expect(result.status).toBe(200);
        expect(result.errors).toEqual([
          expect.objectContaining({
            message: "The identity provider's keys could not be fetched: try again later",
            extensions: { code: 'UNAUTHENTICATED' },
          }),
        ]);
      }
      expect(await viewerOverWs(t, token)).toEqual({
        closed: {
          code: 4403,
          reason: "Forbidden: The identity provider's keys could not be fetched: try again later",
        },
      });
      // Dashboard tokens do not depend on the provider.
      const dashboard = await t.token('acme');
      expect((await t.gql(VIEWER, {}, { token: dashboard })).errors).toBeUndefined();

      await idp.start(port);
      await eventually(async () => {
        expect((await t.gql<Viewer>(VIEWER, {}, { token })).data?.viewer.userId).toBe('alice');
      });
    } finally {
      await t.close();
      await idp.stop();
    }
  });
});
