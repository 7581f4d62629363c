import { DomainError, ErrorCode } from '../common/domain-error.js';
import { ANY_SCOPE, type Scope } from './access.decorators.js';
import { type AuthContext } from './auth-context.js';

/**
 * What an operation allows, as its markers say (@TenantAccess roles, @RequireScope, @AnyScope,
 * @UsersOnly). The AccessGuard checks it per operation from the markers; `node(id)` checks the
 * rule of the kind of object the id names, with the same words, through the same function.
 */
export interface AccessRuleOf {
  /** Any of these roles; none: every role. */
  roles: readonly string[];
  /** The scope an API key needs; ANY_SCOPE: every key; undefined: no key at all. */
  scope: Scope | typeof ANY_SCOPE | undefined;
  /** Set: no API key, whatever its scopes (the reason is the FORBIDDEN message). */
  usersOnly?: string | undefined;
}

/** FORBIDDEN or INSUFFICIENT_SCOPE unless the caller may run an operation of `rule`. */
export function assertAllowed(auth: AuthContext, rule: AccessRuleOf): void {
  if (auth.apiKey) assertKeyAllowed(auth.apiKey, rule);
  if (rule.roles.length > 0 && !auth.roles.some((role) => rule.roles.includes(role))) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `This operation needs one of the roles: ${rule.roles.join(', ')}`,
    );
  }
}

function assertKeyAllowed(apiKey: NonNullable<AuthContext['apiKey']>, rule: AccessRuleOf): void {
  if (rule.usersOnly) throw new DomainError(ErrorCode.FORBIDDEN, rule.usersOnly);
  const { scope } = rule;
  if (scope === ANY_SCOPE) return;
  if (!scope) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      "API keys cannot call this operation: it needs a user's token",
    );
  }
  if (!apiKey.scopes.includes(scope)) {
    throw new DomainError(
      ErrorCode.INSUFFICIENT_SCOPE,
      `This operation needs an API key with the "${scope}" scope; this key has: ${apiKey.scopes.join(', ')}`,
      { details: { scope, keyScopes: [...apiKey.scopes] } },
    );
  }
}
