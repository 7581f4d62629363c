import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { type AuthContext, type Role } from './auth-context.js';
import { requestOf } from './request-of.js';

export const ACCESS_METADATA = 'whatsapp-hub:access';

export type AccessRule =
  | { kind: 'tenant'; roles: readonly Role[] }
  | { kind: 'internal' }
  /** No credentials at the edge; the handler authenticates by other means (e.g. a webhook HMAC). */
  | { kind: 'public'; reason: string };

/**
 * Every resolver and controller route carries exactly one of these, or the global
 * AccessGuard refuses it: access is denied by default.
 */
export const TenantAccess = (...roles: Role[]) =>
  SetMetadata(ACCESS_METADATA, { kind: 'tenant', roles } satisfies AccessRule);
export const InternalAccess = () => SetMetadata(ACCESS_METADATA, { kind: 'internal' } satisfies AccessRule);
export const PublicAccess = (reason: string) =>
  SetMetadata(ACCESS_METADATA, { kind: 'public', reason } satisfies AccessRule);

/** The verified caller of a @TenantAccess operation. */
export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = requestOf(ctx)?.auth;
  if (!auth) throw new Error('CurrentAuth used on an operation without @TenantAccess');
  return auth;
});

/**
 * What a tenant API key may be allowed to do. A user's token (dashboard or identity provider)
 * is governed by its roles and passes every scope; a key passes only the scopes it was given.
 */
export const Scope = {
  /** Queries and subscriptions: sessions, chats, messages, files. */
  READ: 'read',
  /** Sending: messages, files, reactions, marking read. */
  SEND: 'send',
  /** Creating, linking, stopping, deleting sessions. */
  SESSIONS: 'sessions',
  /** The tenant's webhook endpoints and their deliveries. */
  WEBHOOKS: 'webhooks',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];
export const SCOPES: readonly Scope[] = Object.values(Scope);

export const SCOPE_METADATA = 'whatsapp-hub:scope';

/**
 * The scope a tenant API key needs for this operation (beside @TenantAccess's roles). A
 * @TenantAccess operation without it is refused to every API key: deny by default.
 */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_METADATA, scope);

/** What @AnyScope marks: the operation is open to every API key, whatever its scopes. */
export const ANY_SCOPE = '*';

/** For operations that tell a key nothing beyond who it is (`viewer`): any key may call them. */
export const AnyScope = () => SetMetadata(SCOPE_METADATA, ANY_SCOPE);

export const USERS_ONLY_METADATA = 'whatsapp-hub:users-only';

/**
 * A @TenantAccess operation no API key may call, whatever its scopes, said on purpose (the
 * reason is the FORBIDDEN message a key gets): managing the keys themselves, so a leaked key
 * cannot mint more keys or keep itself alive.
 */
export const UsersOnly = (reason: string) => SetMetadata(USERS_ONLY_METADATA, reason);
