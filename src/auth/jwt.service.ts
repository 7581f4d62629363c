import { Inject, Injectable, Optional } from '@nestjs/common';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { type AuthContext, type Role, ROLES } from './auth-context.js';
import { IdentityProviderTokens } from './identity-provider.js';

const ALGORITHM = 'HS256';
/** Claim names in the dashboard token. `sub` is the user id. */
const TENANT_CLAIM = 'tid';
const ROLES_CLAIM = 'roles';

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message);
}

/**
 * Dashboard tokens: HS256, `sub` = user id, `tid` = tenant id, `roles`, `exp` required; and,
 * when JWT_JWKS_URL is set, tokens of the SaaS's identity provider (identity-provider.ts).
 *
 * The token's header `alg` picks the one key that may verify it: HS256 the secret, an
 * algorithm of JWT_ALGORITHMS the provider's JWKS, anything else nothing. So a token signed
 * with HMAC over the provider's public key is checked against our secret and fails, and a
 * provider's token is never checked against the secret (algorithm confusion).
 */
@Injectable()
export class JwtService {
  private readonly key: Uint8Array;
  private readonly provider: IdentityProviderTokens | undefined;

  /** `tenants` is needed only to verify provider tokens (the CLI and benches only sign). */
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() tenants?: TenantsService,
  ) {
    this.key = new TextEncoder().encode(config.jwt.secret);
    const { identity, jwt } = config;
    if (identity.jwksUrl !== undefined && jwt.issuer !== undefined && jwt.audience !== undefined && tenants) {
      this.provider = new IdentityProviderTokens(
        { ...identity, jwksUrl: identity.jwksUrl },
        jwt.issuer,
        jwt.audience,
        tenants,
      );
    }
  }

  async sign(auth: AuthContext, expiresIn: string | number = '12h'): Promise<string> {
    let jwt = new SignJWT({ [TENANT_CLAIM]: auth.tenantId, [ROLES_CLAIM]: auth.roles })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(auth.userId)
      .setIssuedAt()
      .setExpirationTime(expiresIn);
    if (this.config.jwt.issuer) jwt = jwt.setIssuer(this.config.jwt.issuer);
    if (this.config.jwt.audience) jwt = jwt.setAudience(this.config.jwt.audience);
    return jwt.sign(this.key);
  }

  async verify(token: string): Promise<AuthContext> {
    let alg: unknown;
    try {
      ({ alg } = decodeProtectedHeader(token));
    } catch {
      throw unauthenticated('The token is not a valid dashboard token');
    }
    if (alg === ALGORITHM) return this.verifyDashboardToken(token);
    if (this.provider && typeof alg === 'string') {
      if (this.provider.accepts(alg)) return this.provider.verify(token);
      throw unauthenticated(
        `The token's algorithm is not accepted: ${ALGORITHM} for dashboard tokens, ${this.config.identity.algorithms.join(' or ')} from the identity provider`,
      );
    }
    // Without a provider, exactly what a dashboard token of another algorithm always got.
    throw unauthenticated('The token is not a valid dashboard token');
  }

  private async verifyDashboardToken(token: string): Promise<AuthContext> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        requiredClaims: ['exp', 'sub', TENANT_CLAIM],
        ...(this.config.jwt.issuer ? { issuer: this.config.jwt.issuer } : {}),
        ...(this.config.jwt.audience ? { audience: this.config.jwt.audience } : {}),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated('The token has expired');
      if (error instanceof errors.JWSSignatureVerificationFailed)
        throw unauthenticated('The token signature is invalid');
      throw unauthenticated('The token is not a valid dashboard token');
    }
    const tenantId = payload[TENANT_CLAIM];
    const roles = payload[ROLES_CLAIM] ?? [];
    if (typeof tenantId !== 'string' || !/^[0-9a-f-]{36}$/i.test(tenantId)) {
      throw unauthenticated('The token carries no valid tenant');
    }
    if (!Array.isArray(roles) || !roles.every((role): role is Role => ROLES.includes(role as Role))) {
      throw unauthenticated(`The token's roles must be a list of ${ROLES.join(', ')}`);
    }
    return {
      userId: payload.sub as string,
      tenantId,
      roles,
      ...(payload.exp === undefined ? {} : { expiresAt: new Date(payload.exp * 1000) }),
    };
  }
}

/** `Authorization: Bearer <token>`; anything else is no token. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match?.[1];
}
