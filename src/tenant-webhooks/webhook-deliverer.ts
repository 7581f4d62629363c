import { EntityManager } from '@mikro-orm/core';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { JobLoop, retryBackoffMs } from '../common/job-loop.js';
import { withTimeout } from '../common/with-timeout.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { WebhookDeliveryStatus } from './webhook-delivery.entity.js';
import { postWebhook, type SendResult } from './webhook-sender.js';
import { signedHeaders, webhookIdOf } from './webhook-signing.js';
import { checkTarget, parseAllowance, parseTargetUrl, TargetRefused } from './webhook-targets.js';

const BATCH_SIZE = 20;

interface ClaimedDelivery {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  body: string;
  attempts: number;
  retries: number;
  url: string;
  secret: string;
  previous_secret: string | null;
}

/**
 * Delivers tenants' webhooks until each endpoint answers 2xx. Every replica runs one; rows are
 * claimed with `FOR UPDATE SKIP LOCKED` and a lease, as the outbox to n8n does, so replicas never
 * send the same row at once and a replica that dies mid-send releases its rows when the lease
 * ends. Each attempt is logged; failures retry with exponential backoff and jitter up to
 * TENANT_WEBHOOKS_MAX_ATTEMPTS, and an endpoint failing TENANT_WEBHOOKS_DISABLE_AFTER_FAILURES
 * attempts in a row is disabled with the reason shown to its tenant (its rows wait until it is
 * enabled again).
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private readonly loop: JobLoop;
  private readonly allowance;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.allowance = parseAllowance(config.tenantWebhooks.allowedPrivateTargets);
    this.loop = new JobLoop(
      'Tenant webhook delivery',
      this.logger,
      config.tenantWebhooks.pollIntervalMs,
      () => this.deliverBatch(),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.tenantWebhooks.dispatch) this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Runs the due rows now (after a commit that wrote some, or a replay). */
  wake(): void {
    this.loop.wake();
  }

  /** Delivers every row due now; resolves with how many were attempted. */
  drain(): Promise<number> {
    return this.loop.drain();
  }

  private async deliverBatch(): Promise<number> {
    // DNS and the request each within the timeout, and a margin.
    const leaseSeconds = Math.ceil((this.config.tenantWebhooks.timeoutMs * 2) / 1000) + 5;
    const rows = (await this.em.getConnection().execute(
      `update tenant_webhook_deliveries d set locked_until = now() + make_interval(secs => ?)
        from tenant_webhook_endpoints e
        where e.id = d.endpoint_id and d.id in (
          select x.id from tenant_webhook_deliveries x
            join tenant_webhook_endpoints y on y.id = x.endpoint_id and y.enabled
           where x.status = 'PENDING' and x.next_attempt_at <= now()
             and (x.locked_until is null or x.locked_until < now())
           order by x.next_attempt_at
           limit ?
           for update of x skip locked)
        returning d.id, d.tenant_id, d.endpoint_id, d.payload::text as body, d.attempts, d.retries, e.url, e.secret,
          case when e.previous_secret_expires_at > now() then e.previous_secret end as previous_secret`,
      [leaseSeconds, BATCH_SIZE],
    )) as ClaimedDelivery[];
    await Promise.all(
      rows.map((row) =>
        this.deliverOne(row).catch((error: unknown) => {
          // The lease runs out and a later pass takes the row again (unless its endpoint was deleted meanwhile).
          this.logger.error(
            `Recording webhook delivery ${row.id} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }),
      ),
    );
    return rows.length;
  }

  private async deliverOne(row: ClaimedDelivery): Promise<void> {
    const result = await this.send(row);
    const { maxAttempts, disableAfterFailures } = this.config.tenantWebhooks;
    const attempt = row.attempts + 1;
    const retries = row.retries + 1;
    const status = result.ok
      ? WebhookDeliveryStatus.DELIVERED
      : retries >= maxAttempts
        ? WebhookDeliveryStatus.FAILED
        : WebhookDeliveryStatus.PENDING;
    const delayMs = result.ok ? 0 : this.backoffMs(retries);
    const reason = `Disabled after ${disableAfterFailures} failed deliveries in a row; the last: ${result.error ?? ''}`;
    // The attempt's log row, the delivery's state and the endpoint's failure count, together.
    const [outcome] = (await this.em.getConnection().execute(
      `with a as (
        insert into tenant_webhook_attempts (id, tenant_id, delivery_id, attempt, status_code, latency_ms, error,
          response_excerpt, created_at)
        values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, now())
        returning 1
      ),
      d as (
        update tenant_webhook_deliveries set status = ?, attempts = ?, retries = ?, last_status_code = ?,
          last_error = ?, locked_until = null, next_attempt_at = now() + make_interval(secs => ?),
          delivered_at = case when ? then now() else delivered_at end
        where id = ?
        returning 1
      )
      update tenant_webhook_endpoints set
        consecutive_failures = case when ? then 0 else consecutive_failures + 1 end,
        enabled = enabled and (? or consecutive_failures + 1 < ?),
        disabled_reason = case when enabled and not ? and consecutive_failures + 1 >= ? then ? else disabled_reason end,
        updated_at = case when enabled and not ? and consecutive_failures + 1 >= ? then now() else updated_at end
      where id = ?
      returning enabled`,
      [
        row.tenant_id,
        row.id,
        attempt,
        result.statusCode,
        result.latencyMs,
        result.error,
        result.excerpt,
        status,
        attempt,
        retries,
        result.statusCode,
        result.error,
        delayMs / 1000,
        result.ok,
        row.id,
        result.ok,
        result.ok,
        disableAfterFailures,
        result.ok,
        disableAfterFailures,
        reason,
        result.ok,
        disableAfterFailures,
        row.endpoint_id,
      ],
    )) as { enabled: boolean }[];
    if (result.ok) return;
    this.logger.warn(
      `Webhook delivery ${row.id} to endpoint ${row.endpoint_id} failed (attempt ${attempt}): ${result.error ?? ''}` +
        (outcome?.enabled === false ? '; the endpoint is disabled' : ''),
    );
  }

  /** One attempt: the target checked again (DNS may have changed), then the signed POST to the checked addresses. */
  private async send(row: ClaimedDelivery): Promise<SendResult> {
    const started = performance.now();
    let addresses;
    try {
      // DNS has no deadline of its own; the lease counts on one.
      addresses = await withTimeout(
        checkTarget(parseTargetUrl(row.url), this.allowance),
        this.config.tenantWebhooks.timeoutMs,
      );
    } catch (error) {
      const message =
        error instanceof TargetRefused
          ? `${error.reason}: ${error.message}`
          : `DNS: ${error instanceof Error ? error.message : String(error)}`;
      return {
        ok: false,
        statusCode: null,
        latencyMs: Math.round(performance.now() - started),
        error: message,
        excerpt: null,
      };
    }
    const secrets = row.previous_secret ? [row.secret, row.previous_secret] : [row.secret];
    const headers = signedHeaders(webhookIdOf(row.id), row.body, secrets, new Date());
    return postWebhook(row.url, addresses, headers, row.body, this.config.tenantWebhooks.timeoutMs);
  }

  /** Exponential from TENANT_WEBHOOKS_BASE_BACKOFF_MS, capped at its max, with ±25% jitter. */
  private backoffMs(retries: number): number {
    const { baseBackoffMs, maxBackoffMs } = this.config.tenantWebhooks;
    return retryBackoffMs(retries, baseBackoffMs, maxBackoffMs);
  }
}
