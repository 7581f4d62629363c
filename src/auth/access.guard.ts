import { timingSafeEqual, createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/core';
import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { TENANT_FILTER } from '../common/tenant-filter.js';
import {
  ACCESS_METADATA,
  type AccessRule,
  ANY_SCOPE,
  SCOPE_METADATA,
  type Scope,
  USERS_ONLY_METADATA,
} from './access.decorators.js';
import { assertAllowed } from './access-check.js';
import { CredentialsService } from './credentials.service.js';
import { type AuthCarrier, requestOf } from './request-of.js';
import { bearerToken } from './jwt.service.js';
import { RateLimiter } from './rate-limiter.js';

import { INTERNAL_KEY_HEADER } from '../config/http-surface.js';

/** Compares secrets in constant time, whatever their lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * Global guard: an operation is refused unless it declares an access rule
 * (@TenantAccess, @InternalAccess or @PublicAccess). For tenant operations it verifies
 * the credential (a user's token or a tenant API key), checks roles, and for an API key its
 * scopes (an operation without @RequireScope is refused to keys: deny by default), then scopes
 * the request's EntityManager to the caller's tenant.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!rule) {
      this.logger.error(
        `Refused ${ctx.getClass().name}.${ctx.getHandler().name}: it declares no access rule`,
      );
      throw new DomainError(ErrorCode.FORBIDDEN, 'This operation is not available');
    }
    const request = requestOf(ctx);
    if (!request) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'No credentials were presented');

    switch (rule.kind) {
      case 'public':
        return true;
      case 'internal':
        this.checkInternalKey(request);
        return true;
      case 'tenant':
        await this.authenticateTenantCaller(request, rule.roles, ctx);
        return true;
    }
  }

  private async authenticateTenantCaller(
    request: AuthCarrier,
    roles: readonly string[],
    ctx: ExecutionContext,
  ): Promise<void> {
    if (!request.auth) {
      const token = bearerToken(request.headers['authorization']);
      if (!token)
        throw new DomainError(
          ErrorCode.UNAUTHENTICATED,
          'A dashboard token, identity-provider token or API key is required (Authorization: Bearer <token>)',
        );
      const auth = await this.credentials.authenticate(token);
      // Counted once per request (a request may carry several root fields).
      await this.rateLimiter.consume(auth.tenantId);
      request.auth = auth;
    }
    const targets = [ctx.getHandler(), ctx.getClass()];
    assertAllowed(request.auth, {
      roles,
      scope: this.reflector.getAllAndOverride<Scope | typeof ANY_SCOPE | undefined>(SCOPE_METADATA, targets),
      usersOnly: this.reflector.getAllAndOverride<string | undefined>(USERS_ONLY_METADATA, targets),
    });
    this.em.setFilterParams(TENANT_FILTER, { tenantId: request.auth.tenantId });
  }

  private checkInternalKey(request: AuthCarrier): void {
    const header = request.headers[INTERNAL_KEY_HEADER];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !secretsEqual(key, this.config.internalApi.key)) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'A valid internal API key is required');
    }
  }
}
