import { graphqlWsClient } from '../../realtime/support.js';
import { type TestApp } from '../../support/app.js';

/** What the identity-provider specs share: the queries, the provider's settings, a graphql-ws call. */

export const VIEWER = 'query { viewer { userId roles tenant { id slug } } }';
export const CREATE = 'mutation { createWhatsappSession(input: { displayName: "x" }) { id } }';
export const ISSUER = 'https://idp.example.test/';

export interface Viewer {
  viewer: { userId: string; roles: string[]; tenant: { id: string; slug: string } };
}

/** The app as a SaaS configures it: its provider's JWKS, issuer, audience and claim names. */
export function providerEnv(jwksUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    JWT_JWKS_URL: jwksUrl,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: 'whatsapp-hub',
    JWT_JWKS_COOLDOWN_MS: '100',
    JWT_TENANT_CLAIM: 'org',
    JWT_ROLES_CLAIM: 'permissions',
    ...extra,
  };
}

/** The viewer query over graphql-ws, as a dashboard runs it: the result, or how the socket closed. */
export async function viewerOverWs(
  t: TestApp,
  token: string,
): Promise<{ data?: unknown; closed?: { code: number; reason: string } }> {
  const client = graphqlWsClient(t, token);
  try {
    return await new Promise((resolve) => {
      client.subscribe(
        { query: VIEWER },
        {
          next: (result) => resolve({ data: result.data }),
          error: (error) => {
            const { code, reason } = error as { code: number; reason: string };
            resolve({ closed: { code, reason } });
          },
          complete: () => undefined,
        },
      );
    });
  } finally {
    await client.dispose();
  }
}
