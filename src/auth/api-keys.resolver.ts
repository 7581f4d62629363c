import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { keyOf, toGlobalId } from '../common/global-ids.js';
import { CurrentAuth, TenantAccess, UsersOnly } from './access.decorators.js';
import { type Scope } from './access.decorators.js';
import { type ApiKey } from './api-key.entity.js';
import { ApiKeyIdArgs, ApiKeyModel, CreateApiKeyInput, CreatedApiKeyModel } from './api-key.model.js';
import { ApiKeysService } from './api-keys.service.js';
import { type AuthContext, Role } from './auth-context.js';

/** Said to an API key that tries to manage keys: a leaked key must not mint more, or hide its revocation. */
export const KEYS_NEED_A_USER =
  "API keys are managed by a tenant admin with a user's token, not by an API key";

export function toApiKeyModel(key: ApiKey): ApiKeyModel {
  return {
    id: toGlobalId('ApiKey', key.id),
    name: key.name,
    scopes: key.scopes as Scope[],
    prefix: key.prefix,
    expiresAt: key.expiresAt ?? null,
    lastUsedAt: key.lastUsedAt ?? null,
    createdAt: key.createdAt,
    createdBy: key.createdBy,
    revokedAt: key.revokedAt ?? null,
  };
}

/** Tenant API keys: a tenant admin (with a user's token) creates, lists and revokes them. */
@Resolver(() => ApiKeyModel)
export class ApiKeysResolver {
  constructor(private readonly keys: ApiKeysService) {}

  @TenantAccess(Role.ADMIN)
  @UsersOnly(KEYS_NEED_A_USER)
  @Query(() => [ApiKeyModel], { description: "The tenant's API keys, newest first, revoked ones included." })
  async apiKeys() {
    return (await this.keys.list()).map(toApiKeyModel);
  }

  @TenantAccess(Role.ADMIN)
  @UsersOnly(KEYS_NEED_A_USER)
  @Mutation(() => CreatedApiKeyModel, {
    description:
      'Creates an API key for server-to-server calls (`Authorization: Bearer whk_…`, also in graphql-ws ' +
      'connection_init). The key is in `secret`, shown this once.',
  })
  async createApiKey(@CurrentAuth() auth: AuthContext, @Args('input') input: CreateApiKeyInput) {
    const { apiKey, secret } = await this.keys.create(auth, input);
    return { apiKey: toApiKeyModel(apiKey), secret };
  }

  @TenantAccess(Role.ADMIN)
  @UsersOnly(KEYS_NEED_A_USER)
  @Mutation(() => ApiKeyModel, {
    description:
      'Revokes the key: every replica refuses it from its next request, and sockets opened with it are ' +
      'closed. Revoking a revoked key answers it unchanged.',
  })
  async revokeApiKey(@CurrentAuth() auth: AuthContext, @Args() { id }: ApiKeyIdArgs) {
    return toApiKeyModel(await this.keys.revoke(auth, keyOf('ApiKey', id, 'id')));
  }
}
