export const Role = { ADMIN: 'admin', MEMBER: 'member', VIEWER: 'viewer' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES: readonly Role[] = Object.values(Role);

/** Who is calling, established from a verified token or API key; the only source of the tenant. */
export interface AuthContext {
  /** A user's id; for an API key `apikey:<ApiKey.id>` (`apikey:ak_…`), so audit columns show which key acted. */
  userId: string;
  tenantId: string;
  /** A user's roles; an API key acts as an admin narrowed to its scopes (see `apiKey`). */
  roles: Role[];
  /** When the token stops being valid (its `exp`), or the key's expiry. */
  expiresAt?: Date;
  /**
   * Set when the caller is a tenant API key: it may call only operations marked with one of
   * its scopes (@RequireScope), and never those kept for users (@UsersOnly). Absent for a
   * user's token, which its roles govern.
   */
  apiKey?: { id: string; scopes: readonly string[] };
}
