import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { type AuthContext, type Role, ROLES } from './auth-context.js';

const ALGORITHM = 'HS256';
/** Claim names in the dashboard token. `sub` is the user id. */
const TENANT_CLAIM = 'tid';
const ROLES_CLAIM = 'roles';

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message);
}

/** Dashboard tokens: HS256, `sub` = user id, `tid` = tenant id, `roles`, `exp` required. */
@Injectable()
export class JwtService {
  private readonly key: Uint8Array;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = new TextEncoder().encode(config.jwt.secret);
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
