import { type Reader } from './env.js';

/** Tenants' own webhook endpoints: how deliveries are made, retried and kept safe. */
export interface TenantWebhooksConfig {
  /** Deliver from this replica (off only for tools and tests that must not). */
  dispatch: boolean;
  pollIntervalMs: number;
  /** One delivery attempt, from connect to the last byte of the answer. */
  timeoutMs: number;
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** An endpoint failing this many deliveries in a row is disabled, with the reason shown to its tenant. */
  disableAfterFailures: number;
  /** How long the old signing secret still signs beside the new one after a rotation. */
  secretOverlapSeconds: number;
  /**
   * Private, loopback or link-local targets an operator allows (IP addresses or CIDR ranges);
   * every other such target is refused, at registration and at delivery (after DNS).
   */
  allowedPrivateTargets: string[];
}

export function readTenantWebhooksConfig(r: Reader): TenantWebhooksConfig {
  return {
    dispatch: r.bool('TENANT_WEBHOOKS_DISPATCH', true),
    pollIntervalMs: r.int('TENANT_WEBHOOKS_POLL_INTERVAL_MS', 1000, 10, 60_000),
    timeoutMs: r.int('TENANT_WEBHOOKS_TIMEOUT_MS', 5000, 100, 60_000),
    maxAttempts: r.int('TENANT_WEBHOOKS_MAX_ATTEMPTS', 10, 1, 100),
    baseBackoffMs: r.int('TENANT_WEBHOOKS_BASE_BACKOFF_MS', 1000, 1, 3_600_000),
    maxBackoffMs: r.int('TENANT_WEBHOOKS_MAX_BACKOFF_MS', 3_600_000, 1, 86_400_000),
    disableAfterFailures: r.int('TENANT_WEBHOOKS_DISABLE_AFTER_FAILURES', 50, 1, 100_000),
    secretOverlapSeconds: r.int('TENANT_WEBHOOKS_SECRET_OVERLAP_SECONDS', 86_400, 0, 2_592_000),
    allowedPrivateTargets: (r.raw('TENANT_WEBHOOKS_ALLOWED_PRIVATE_TARGETS') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}
