import { EntityManager } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { toGlobalId } from '../common/global-ids.js';
import { createdByActor, userActor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { validIdArgument, validStoredInstant } from '../common/input-checks.js';
import { hasControlChar, isStorableText } from '../common/storable.js';
import { newRowId } from '../database/row-ids.js';
import { SCOPES, type Scope } from './access.decorators.js';
import { ApiKey } from './api-key.entity.js';
import { hashApiKey, newApiKey, shownPrefix, wellFormedApiKey } from './api-key-secret.js';
import { type AuthContext, Role } from './auth-context.js';

const MAX_NAME = 100;
/** last_used_at is written at most this often per key: a busy key costs no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const DEAD_CHECK_SLICE = 1000;

/** As the driver answers a raw query: timestamps may arrive as strings. */
interface KeyRow {
  id: string;
  tenant_id: string;
  scopes: string[];
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

const timeOf = (value: Date | string | null): number | null =>
  value === null ? null : new Date(value).getTime();

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message);
}

export interface NewApiKey {
  name: string;
  scopes: Scope[];
  expiresAt?: Date | null | undefined;
}

/**
 * Tenant API keys: created by a tenant admin (shown once, stored as a SHA-256), listed and
 * revoked within the tenant; and checked on every request that presents one.
 *
 * Every request looks its key up in PostgreSQL (one unique-index read): a revoked key is
 * refused by every replica on its next request, with no cache to invalidate and nothing that
 * could miss an invalidation (a Redis message can be lost; this read cannot be stale).
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(private readonly em: EntityManager) {}

  async create(auth: AuthContext, input: NewApiKey): Promise<{ apiKey: ApiKey; secret: string }> {
    const name = validName(input.name);
    const scopes = validScopes(input.scopes);
    const expiresAt = validExpiry(input.expiresAt);
    const secret = newApiKey();
    const apiKey = this.em.create(ApiKey, {
      id: newRowId(),
      tenant: auth.tenantId,
      name,
      scopes,
      hash: hashApiKey(secret),
      prefix: shownPrefix(secret),
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      ...createdByActor(userActor(auth.userId)),
    });
    await this.em.flush();
    return { apiKey, secret };
  }

  /** The caller's tenant's keys (the tenant filter), newest first, revoked ones included. */
  list(): Promise<ApiKey[]> {
    return this.em.find(ApiKey, {}, { orderBy: { id: 'desc' } });
  }

  /** One of the caller's tenant's keys (the tenant filter); null when it has none with this id. */
  find(id: string): Promise<ApiKey | null> {
    return this.em.findOne(ApiKey, { id });
  }

  /** Idempotent: revoking a revoked key answers it as it is. Another tenant's key is NOT_FOUND. */
  async revoke(auth: AuthContext, id: string): Promise<ApiKey> {
    validIdArgument(id, 'id');
    const apiKey = await this.em.findOne(ApiKey, { id });
    if (!apiKey) throw DomainError.notFound('API key', id);
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = new Date();
      apiKey.updatedBy = userActor(auth.userId);
      await this.em.flush();
    }
    return apiKey;
  }

  /** The caller a key stands for, or UNAUTHENTICATED saying why (unknown, revoked, expired). */
  async authenticate(key: string): Promise<AuthContext> {
    if (!wellFormedApiKey(key)) throw unauthenticated('The API key is not valid');
    const [row] = await this.em
      .getConnection()
      .execute<KeyRow[]>(
        `select id, tenant_id, scopes, expires_at, revoked_at, last_used_at from api_keys where hash = ?`,
        [hashApiKey(key)],
      );
    if (!row) throw unauthenticated('The API key is not valid');
    if (row.revoked_at) throw unauthenticated('The API key has been revoked');
    const now = Date.now();
    const expiresAt = timeOf(row.expires_at);
    if (expiresAt !== null && expiresAt <= now) throw unauthenticated('The API key has expired');
    const lastUsedAt = timeOf(row.last_used_at);
    if (lastUsedAt === null || now - lastUsedAt >= LAST_USED_RESOLUTION_MS) await this.touch(row.id);
    return {
      // The key's id as the API shows it (ApiKey.id), so viewer and audit columns name it the same way.
      userId: `apikey:${toGlobalId('ApiKey', row.id)}`,
      tenantId: row.tenant_id,
      // An admin narrowed to its scopes: the scopes, not roles, say what a key may do.
      roles: [Role.ADMIN],
      ...(expiresAt === null ? {} : { expiresAt: new Date(expiresAt) }),
      apiKey: { id: row.id, scopes: row.scopes },
    };
  }

  /** Of these key ids, those that no longer work (revoked, expired or gone with their tenant). */
  async deadAmong(ids: readonly string[]): Promise<string[]> {
    const living = new Set<string>();
    // In slices: a replica may hold sockets of more keys than a statement takes parameters.
    for (let at = 0; at < ids.length; at += DEAD_CHECK_SLICE) {
      const slice = ids.slice(at, at + DEAD_CHECK_SLICE);
      const alive = await this.em
        .getConnection()
        .execute<{ id: string }[]>(
          `select id from api_keys where id in (${slice.map(() => '?').join(', ')}) and revoked_at is null and (expires_at is null or expires_at > now())`,
          slice,
        );
      for (const row of alive as { id: string }[]) living.add(row.id);
    }
    return ids.filter((id) => !living.has(id));
  }

  /** Conditional, so replicas racing on the same key write once a minute between them. */
  private async touch(id: string): Promise<void> {
    try {
      await this.em
        .getConnection()
        .execute(
          `update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
          [id],
        );
    } catch (error) {
      // A missed last-used time must not refuse the request it belongs to.
      this.logger.warn(`Could not record the use of API key ${id}: ${String(error)}`);
    }
  }
}

function validName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > MAX_NAME) {
    throw DomainError.badInput('input.name', `name must be 1 to ${MAX_NAME} characters`);
  }
  if (hasControlChar(name) || !isStorableText(name)) {
    throw DomainError.badInput('input.name', 'name must be plain text (no control characters)');
  }
  return name;
}

function validScopes(scopes: readonly string[]): Scope[] {
  const unknown = scopes.filter((scope) => !SCOPES.includes(scope as Scope));
  if (unknown.length > 0) {
    throw DomainError.badInput('input.scopes', `Unknown scopes: ${unknown.join(', ')}`, {
      known: [...SCOPES],
    });
  }
  if (scopes.length === 0) {
    throw DomainError.badInput('input.scopes', `A key needs at least one scope of ${SCOPES.join(', ')}`);
  }
  return SCOPES.filter((scope) => scopes.includes(scope));
}

function validExpiry(expiresAt: Date | null | undefined): Date | null {
  if (expiresAt === null || expiresAt === undefined) return null;
  validStoredInstant(expiresAt, 'input.expiresAt');
  if (expiresAt.getTime() <= Date.now()) {
    throw DomainError.badInput('input.expiresAt', 'expiresAt must be in the future');
  }
  return expiresAt;
}
