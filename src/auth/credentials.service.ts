import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { looksLikeApiKey } from './api-key-secret.js';
import { ApiKeysService } from './api-keys.service.js';
import { type AuthContext } from './auth-context.js';
import { JwtService } from './jwt.service.js';

/**
 * The one place a bearer credential becomes an AuthContext, for HTTP (AccessGuard) and
 * graphql-ws (connection_init and each operation): a tenant API key (`whk_…`, looked up by its
 * hash) or a user's token (JwtService: dashboard or identity provider).
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly jwt: JwtService,
    private readonly tenants: TenantsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async authenticate(bearer: string): Promise<AuthContext> {
    if (looksLikeApiKey(bearer)) return this.apiKeys.authenticate(bearer);
    const auth = await this.jwt.verify(bearer);
    if (!(await this.tenants.exists(auth.tenantId))) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, "The token's tenant does not exist");
    }
    return auth;
  }
}
