import { EntityManager } from '@mikro-orm/core';
import { sqlOf } from '../database/sql.js';
import { Injectable } from '@nestjs/common';

export interface WebhookSession {
  sessionId: string;
  tenantId: string;
  hmacKey: string;
}

/** A session's HMAC key never changes, and its tenant neither: a short cache spares a query per event. */
const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Finds the session an event names, across tenants on purpose (WAHA has no tenant), for its
 * HMAC key and its tenant. Only sessions that exist are cached, so a session created a moment
 * ago is found at once; a removed one stops verifying within TTL_MS (and is forgotten at once
 * when an event finds it gone).
 */
@Injectable()
export class WebhookSessions {
  private readonly cache = new Map<string, { session: WebhookSession; until: number }>();

  constructor(private readonly em: EntityManager) {}

  async find(sessionId: string): Promise<WebhookSession | null> {
    const hit = this.cache.get(sessionId);
    if (hit && hit.until > Date.now()) return hit.session;
    const [row] = await sqlOf(this.em.fork()).execute<{ tenant_id: string; webhook_hmac_key: string }[]>(
      `select tenant_id, webhook_hmac_key from whatsapp_sessions where id = ?`,
      [sessionId],
    );
    if (!row) {
      this.cache.delete(sessionId);
      return null;
    }
    const session = { sessionId, tenantId: row.tenant_id, hmacKey: row.webhook_hmac_key };
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(sessionId, { session, until: Date.now() + TTL_MS });
    return session;
  }

  forget(sessionId: string): void {
    this.cache.delete(sessionId);
  }
}
