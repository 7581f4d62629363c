export const Role = { ADMIN: 'admin', MEMBER: 'member', VIEWER: 'viewer' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES: readonly Role[] = Object.values(Role);

/** Who is calling, established from a verified token; the only source of the tenant. */
export interface AuthContext {
  userId: string;
  tenantId: string;
  roles: Role[];
  /** When the token stops being valid (its `exp`). */
  expiresAt?: Date;
}
