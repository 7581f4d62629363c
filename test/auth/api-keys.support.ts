import { expect } from '@jest/globals';
import { type TestApp } from '../support/app.js';

export const CREATE_KEY = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name scopes prefix expiresAt lastUsedAt createdAt createdBy revokedAt } }
}`;
export const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
export const LIST_KEYS = `{ apiKeys { id name scopes prefix revokedAt lastUsedAt } }`;
export const VIEWER = `{ viewer { userId roles tenant { slug } } }`;
export const SESSIONS = `{ whatsappSessions(first: 10) { edges { node { id displayName } } } }`;

export interface CreatedKey {
  secret: string;
  apiKey: {
    id: string;
    name: string;
    scopes: string[];
    prefix: string;
    expiresAt: string | null;
    lastUsedAt: string | null;
    createdAt: string;
    createdBy: string;
    revokedAt: string | null;
  };
}

/** A key of the admin's tenant, created through the API as a tenant admin would. */
export async function createKey(
  t: TestApp,
  adminToken: string,
  scopes: string[],
  extra: Record<string, unknown> = {},
): Promise<CreatedKey> {
  const result = await t.gql<{ createApiKey: CreatedKey }>(
    CREATE_KEY,
    { input: { name: `key ${scopes.join('+')}`, scopes: scopes.map((s) => s.toUpperCase()), ...extra } },
    { token: adminToken },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createApiKey;
}
