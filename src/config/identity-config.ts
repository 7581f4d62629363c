import { type Reader } from './env.js';

/**
 * Tokens from a SaaS's own identity provider: RS256/ES256 tokens verified against its JWKS
 * (keys fetched, cached and rotated by `jose`), beside the HS256 dashboard tokens this service
 * signs itself (JWT_SECRET). Issuer and audience are enforced for JWKS tokens; the claims that
 * carry the user, the tenant and the roles are named by configuration, since every provider
 * names them its own way.
 */
export interface IdentityConfig {
  /** The provider's JWKS URL; unset: only HS256 dashboard tokens. */
  jwksUrl: string | undefined;
  /** Algorithms accepted from the JWKS. */
  algorithms: string[];
  /** Least time between two fetches of the JWKS when a token names an unknown key (jose's cooldown). */
  jwksCooldownMs: number;
  /** How long fetched keys are used before the JWKS is fetched again. */
  jwksCacheMaxAgeMs: number;
  claims: { user: string; tenant: string; roles: string };
}

export function readIdentityConfig(
  r: Reader,
  issuer: string | undefined,
  audience: string | undefined,
): IdentityConfig {
  const jwksUrl =
    r.optional('JWT_JWKS_URL') === undefined
      ? undefined
      : r.url('JWT_JWKS_URL', undefined, ['http:', 'https:']);
  if (jwksUrl !== undefined && (issuer === undefined || audience === undefined)) {
    r.problems.push(
      'JWT_JWKS_URL needs JWT_ISSUER and JWT_AUDIENCE: tokens of a provider are checked for both',
    );
  }
  const algorithms = (r.raw('JWT_ALGORITHMS') ?? 'RS256,ES256')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const known = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
  if (algorithms.length === 0 || algorithms.some((a) => !known.includes(a))) {
    r.problems.push(`JWT_ALGORITHMS must be a comma-separated list of ${known.join(', ')}`);
  }
  return {
    jwksUrl,
    algorithms,
    jwksCooldownMs: r.int('JWT_JWKS_COOLDOWN_MS', 30_000, 0, 3_600_000),
    jwksCacheMaxAgeMs: r.int('JWT_JWKS_CACHE_MAX_AGE_MS', 600_000, 1000, 86_400_000),
    claims: {
      user: r.string('JWT_USER_CLAIM', 'sub'),
      tenant: r.string('JWT_TENANT_CLAIM', 'tid'),
      roles: r.string('JWT_ROLES_CLAIM', 'roles'),
    },
  };
}
