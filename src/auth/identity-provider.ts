import { Logger } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type CryptoKey,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { type IdentityConfig } from '../config/identity-config.js';
import { type TenantsService } from '../tenants/tenants.service.js';
import { type AuthContext, type Role, ROLES } from './auth-context.js';

/** Said for every token whose tenant is unknown, whichever way it names it (the AccessGuard's words). */
export const UNKNOWN_TENANT = "The token's tenant does not exist";

/** Providers' clocks drift from ours by a few seconds; more would stretch a token's life. */
const CLOCK_TOLERANCE_S = 5;

function unauthenticated(message: string, cause?: unknown): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, cause === undefined ? {} : { cause });
}

/** The provider's JWKS could not be had (unreachable, timed out, not a JWKS): no key to check with. */
class KeysUnavailable extends Error {}

/**
 * Tokens a SaaS's own identity provider signs (RS256, ES256, … per JWT_ALGORITHMS), checked
 * against its JWKS. `jose` fetches the JWKS, keeps it JWT_JWKS_CACHE_MAX_AGE_MS, and fetches it
 * again when a token names a key it does not have, at most once per JWT_JWKS_COOLDOWN_MS: so a
 * rotated-in key works as soon as a token uses it, and a removed key stops working at that
 * refetch (or when the cache ages out). Issuer and audience are always enforced; the user,
 * tenant and roles come from the configured claim names.
 */
export class IdentityProviderTokens {
  private readonly logger = new Logger('IdentityProvider');
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly options: JWTVerifyOptions;
  /**
   * After a failed fetch, no fetch for a cooldown: tokens are not each made to wait on a dead
   * provider, and the provider is not hammered. Keys fetched within the cache age keep working.
   */
  private unavailableUntil = 0;

  constructor(
    private readonly config: IdentityConfig & { jwksUrl: string },
    issuer: string,
    audience: string,
    private readonly tenants: TenantsService,
  ) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
      cooldownDuration: config.jwksCooldownMs,
      cacheMaxAge: config.jwksCacheMaxAgeMs,
      timeoutDuration: 5000,
    });
    this.options = {
      algorithms: config.algorithms,
      issuer,
      audience,
      requiredClaims: ['exp', 'iss', 'aud'],
      clockTolerance: CLOCK_TOLERANCE_S,
    };
  }

  /** Whether a token signed with `alg` is the provider's to check. */
  accepts(alg: string): boolean {
    return this.config.algorithms.includes(alg);
  }

  async verify(token: string): Promise<AuthContext> {
    const payload = await this.verifySignatureAndClaims(token);
    const { user, tenant, roles } = this.config.claims;
    const userId = payload[user];
    if (typeof userId !== 'string' || userId === '') {
      throw unauthenticated(`The token carries no user (claim "${user}")`);
    }
    const tenantClaim = payload[tenant];
    if (typeof tenantClaim !== 'string' || tenantClaim === '') {
      throw unauthenticated(`The token carries no tenant (claim "${tenant}")`);
    }
    const tenantId = await this.tenants.idFromClaim(tenantClaim);
    if (tenantId === undefined) throw unauthenticated(UNKNOWN_TENANT);
    return {
      userId,
      tenantId,
      roles: rolesOf(payload[roles], roles),
      ...(payload.exp === undefined ? {} : { expiresAt: new Date(payload.exp * 1000) }),
    };
  }

  private async verifySignatureAndClaims(token: string): Promise<JWTPayload> {
    try {
      return (await jwtVerify(token, (header, jws) => this.key(header, jws), this.options)).payload;
    } catch (error) {
      if (error instanceof errors.JWKSMultipleMatchingKeys) return this.verifyWithEachOf(error, token);
      throw this.refusal(error, token);
    }
  }

  /** A token without `kid` when the JWKS has several keys for its algorithm: the one that verifies it. */
  private async verifyWithEachOf(
    candidates: errors.JWKSMultipleMatchingKeys,
    token: string,
  ): Promise<JWTPayload> {
    let last: unknown;
    for await (const key of candidates as unknown as AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(token, key, this.options)).payload;
      } catch (error) {
        last = error;
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
      }
    }
    throw this.refusal(last ?? new errors.JWSSignatureVerificationFailed(), token);
  }

  private async key(...args: Parameters<JWTVerifyGetKey>): Promise<CryptoKey> {
    if (Date.now() < this.unavailableUntil) {
      // The keys fetched last, while still fresh, without asking the provider again.
      const fetched = this.jwks.fresh ? this.jwks.jwks() : undefined;
      if (fetched === undefined) throw new KeysUnavailable();
      try {
        return (await createLocalJWKSet(fetched)(...args)) as CryptoKey;
      } catch (error) {
        // A key we do not have may be a new one the provider could not be asked about.
        throw error instanceof errors.JWKSNoMatchingKey ? new KeysUnavailable() : error;
      }
    }
    try {
      return (await this.jwks(...args)) as CryptoKey;
    } catch (error) {
      // Not finding the token's key, or its algorithm, is about the token; anything else is the JWKS.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
        throw error;
      if (error instanceof errors.JOSENotSupported) throw error;
      this.unavailableUntil = Date.now() + this.config.jwksCooldownMs;
      this.logger.warn(
        `The identity provider's keys could not be fetched from ${this.config.jwksUrl}: ${describe(error)}; no new fetch for ${this.config.jwksCooldownMs} ms, and tokens whose key is not among those fetched before are refused meanwhile`,
      );
      throw new KeysUnavailable();
    }
  }

  /** The UNAUTHENTICATED message a client sees for a token that failed verification. */
  private refusal(error: unknown, token: string): DomainError {
    if (error instanceof KeysUnavailable) {
      return unauthenticated("The identity provider's keys could not be fetched: try again later");
    }
    if (error instanceof errors.JWTExpired) return unauthenticated('The token has expired');
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return unauthenticated('The token signature is invalid');
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      const kid = kidOf(token);
      return unauthenticated(
        kid === undefined
          ? "The token names no key (kid) and none of the identity provider's keys fits it"
          : `The token's signing key (kid "${kid}") is not among the identity provider's keys`,
      );
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'iss')
        return unauthenticated("The token's issuer is not the configured identity provider");
      if (error.claim === 'aud') return unauthenticated('The token is not meant for this service (audience)');
      if (error.claim === 'nbf') return unauthenticated('The token is not valid yet');
      if (error.reason === 'missing') return unauthenticated(`The token lacks the "${error.claim}" claim`);
    }
    return unauthenticated('The token is not a valid identity provider token', error);
  }
}

/**
 * Roles as providers write them: a list, or one string separated by spaces or commas (as OAuth
 * scopes are). Only our role names count; others (the provider's roles for other applications)
 * are ignored. A token that grants none of ours is refused: a provider may issue tokens to
 * every user of the SaaS, and only those it gives a role here get in (least privilege).
 */
function rolesOf(claim: unknown, name: string): Role[] {
  const listed =
    claim === undefined || claim === null
      ? []
      : typeof claim === 'string'
        ? claim.split(/[\s,]+/)
        : Array.isArray(claim)
          ? claim
          : undefined;
  if (listed === undefined) {
    throw unauthenticated(
      `The token's roles (claim "${name}") must be a list or a space- or comma-separated string`,
    );
  }
  const roles = ROLES.filter((role) => listed.includes(role));
  if (roles.length === 0) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `The token grants none of the roles ${ROLES.join(', ')} (claim "${name}")`,
    );
  }
  return roles;
}

function kidOf(token: string): string | undefined {
  try {
    const header = decodeProtectedHeader(token);
    return typeof header.kid === 'string' ? header.kid.slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}

/** An error's message and its cause's (fetch's "fetch failed" hides the reason in `cause`). */
function describe(error: unknown): string {
  const messageOf = (value: unknown): string | undefined =>
    typeof value === 'object' && value !== null && 'message' in value ? String(value.message) : undefined;
  const message = messageOf(error) ?? String(error);
  const cause =
    typeof error === 'object' && error !== null && 'cause' in error ? messageOf(error.cause) : undefined;
  return cause === undefined ? message : `${message} (${cause})`;
}
