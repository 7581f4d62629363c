import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { validIdArgument, validStoredInstant } from '../common/input-checks.js';
import {
  decodeTimeIdCursor,
  invalidCursor,
  type Page,
  type PageArgs,
  pageOf,
  pageWindow,
} from '../common/pagination.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { type WebhookDeliveryStatus } from './webhook-delivery.entity.js';
import { WebhookDeliverer } from './webhook-deliverer.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events.js';
import { newSigningSecret } from './webhook-signing.js';
import { checkTarget, parseAllowance, parseTargetUrl, TargetRefused } from './webhook-targets.js';
import {
  type AttemptRecord,
  type DeliveryRecord,
  type EndpointRecord,
  ENDPOINT_COLUMNS,
  DELIVERY_COLUMNS,
  toAttempt,
  toDelivery,
  toEndpoint,
} from './webhook-records.js';

/** Enough for every integration a tenant runs; more is a sign of abuse (each event fans out). */
export const MAX_ENDPOINTS_PER_TENANT = 20;
const MAX_DESCRIPTION = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EndpointInput {
  url: string;
  events: readonly WebhookEventType[];
  description?: string | null;
}

export interface EndpointChanges {
  events?: readonly WebhookEventType[] | null;
  description?: string | null;
  enabled?: boolean | null;
}

/**
 * A tenant's webhook endpoints, their delivery log and replays. Every statement names the
 * caller's tenant, so another tenant's endpoint or delivery is NOT_FOUND exactly like an unknown id.
 */
@Injectable()
export class TenantWebhooksService {
  private readonly allowance;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliverer: WebhookDeliverer,
  ) {
    this.allowance = parseAllowance(config.tenantWebhooks.allowedPrivateTargets);
  }

  private sql<T>(query: string, params: unknown[]): Promise<T[]> {
    return this.em.getConnection().execute(query, params) as Promise<T[]>;
  }

  async create(
    tenantId: string,
    input: EndpointInput,
  ): Promise<{ endpoint: EndpointRecord; secret: string }> {
    const url = await this.checkedUrl(input.url);
    const events = checkedEvents(input.events, 'input.events');
    const description = checkedDescription(input.description);
    const secret = newSigningSecret();
    const rows = await this.sql<Record<string, unknown>>(
      `insert into tenant_webhook_endpoints (id, tenant_id, url, events, description, enabled, disabled_reason, secret,
         consecutive_failures, created_at, updated_at)
       select gen_random_uuid(), ?, ?, array(select jsonb_array_elements_text(?::jsonb)), ?, true, null, ?, 0, now(), now()
        where (select count(*) from tenant_webhook_endpoints where tenant_id = ?) < ?
       returning ${ENDPOINT_COLUMNS}`,
      [tenantId, url, JSON.stringify(events), description, secret, tenantId, MAX_ENDPOINTS_PER_TENANT],
    );
    if (rows.length === 0) {
      throw new DomainError(
        ErrorCode.FAILED_PRECONDITION,
        `A tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints; delete one first`,
      );
    }
    return { endpoint: toEndpoint(rows[0]!), secret };
  }

  async list(tenantId: string): Promise<EndpointRecord[]> {
    const rows = await this.sql<Record<string, unknown>>(
      `select ${ENDPOINT_COLUMNS} from tenant_webhook_endpoints where tenant_id = ? order by created_at, id`,
      [tenantId],
    );
    return rows.map(toEndpoint);
  }

  async get(tenantId: string, id: string, field = 'id'): Promise<EndpointRecord> {
    const rows = await this.sql<Record<string, unknown>>(
      `select ${ENDPOINT_COLUMNS} from tenant_webhook_endpoints where tenant_id = ? and id = ?`,
      [tenantId, endpointId(id, field)],
    );
    if (!rows[0]) throw DomainError.notFound('Webhook endpoint', id);
    return toEndpoint(rows[0]);
  }

  /** Events and description as given (null leaves them); enabling again clears the failure count and the reason. */
  async update(tenantId: string, id: string, changes: EndpointChanges): Promise<EndpointRecord> {
    const events = changes.events == null ? null : checkedEvents(changes.events, 'input.events');
    const description =
      changes.description === undefined ? undefined : checkedDescription(changes.description);
    const enabled = changes.enabled ?? null;
    const rows = await this.sql<Record<string, unknown>>(
      `update tenant_webhook_endpoints set
         events = coalesce((select array_agg(x) from jsonb_array_elements_text(?::jsonb) x), events),
         description = case when ? then ? else description end,
         consecutive_failures = case when ? and not enabled then 0 else consecutive_failures end,
         disabled_reason = case when ?::boolean is null then disabled_reason else null end,
         enabled = coalesce(?, enabled),
         updated_at = now()
       where tenant_id = ? and id = ?
       returning ${ENDPOINT_COLUMNS}`,
      [
        events === null ? null : JSON.stringify(events),
        description !== undefined,
        description ?? null,
        enabled === true,
        enabled,
        enabled,
        tenantId,
        endpointId(id, 'input.id'),
      ],
    );
    if (!rows[0]) throw DomainError.notFound('Webhook endpoint', id);
    if (enabled) this.deliverer.wake();
    return toEndpoint(rows[0]);
  }

  /** A new secret, shown once; the previous one keeps signing beside it for the configured overlap. */
  async rotateSecret(tenantId: string, id: string): Promise<{ endpoint: EndpointRecord; secret: string }> {
    const secret = newSigningSecret();
    const rows = await this.sql<Record<string, unknown>>(
      `update tenant_webhook_endpoints set previous_secret = secret, secret = ?,
         previous_secret_expires_at = now() + make_interval(secs => ?), updated_at = now()
       where tenant_id = ? and id = ?
       returning ${ENDPOINT_COLUMNS}`,
      [secret, this.config.tenantWebhooks.secretOverlapSeconds, tenantId, endpointId(id, 'id')],
    );
    if (!rows[0]) throw DomainError.notFound('Webhook endpoint', id);
    return { endpoint: toEndpoint(rows[0]), secret };
  }

  /** Deletes the endpoint with its deliveries and their log. */
  async delete(tenantId: string, id: string): Promise<EndpointRecord> {
    const rows = await this.sql<Record<string, unknown>>(
      `delete from tenant_webhook_endpoints where tenant_id = ? and id = ? returning ${ENDPOINT_COLUMNS}`,
      [tenantId, endpointId(id, 'id')],
    );
    if (!rows[0]) throw DomainError.notFound('Webhook endpoint', id);
    return toEndpoint(rows[0]);
  }

  /**
   * An endpoint's deliveries, newest first, each with its attempts: after a cursor are older
   * ones, before it newer. The key is the creation time in whole milliseconds (as the cursor
   * holds it) and the id; paged backward the rows come oldest first and pageOf turns them back.
   */
  async deliveries(
    tenantId: string,
    args: PageArgs & { endpointId: string; status?: WebhookDeliveryStatus | null },
  ): Promise<Page<DeliveryRecord>> {
    const endpoint = await this.get(tenantId, args.endpointId, 'endpointId');
    const window = pageWindow(args, (cursor, field) => {
      const key = decodeTimeIdCursor(cursor, field);
      if (!UUID.test(key.id)) throw invalidCursor(field);
      return key;
    });
    const order = window.direction === 'forward' ? 'desc' : 'asc';
    const rows = await this.sql<Record<string, unknown>>(
      `select ${DELIVERY_COLUMNS} from tenant_webhook_deliveries
        where tenant_id = ? and endpoint_id = ? and (?::text is null or status = ?)
          and (?::bigint is null or (floor(extract(epoch from created_at) * 1000)::bigint, id) < (?::bigint, ?::uuid))
          and (?::bigint is null or (floor(extract(epoch from created_at) * 1000)::bigint, id) > (?::bigint, ?::uuid))
        order by floor(extract(epoch from created_at) * 1000)::bigint ${order}, id ${order}
        limit ?`,
      [
        tenantId,
        endpoint.id,
        args.status ?? null,
        args.status ?? null,
        window.after?.ms ?? null,
        window.after?.ms ?? null,
        window.after?.id ?? null,
        window.before?.ms ?? null,
        window.before?.ms ?? null,
        window.before?.id ?? null,
        window.limit + 1,
      ],
    );
    const page = pageOf(window, rows.map(toDelivery), (d) => [d.createdAt.getTime(), d.id]);
    await this.withAttempts(tenantId, page.items);
    return page;
  }

  /** One of the tenant's deliveries with its attempts; null when it has none with this id. */
  async findDelivery(tenantId: string, id: string): Promise<DeliveryRecord | null> {
    const rows = await this.sql<Record<string, unknown>>(
      `select ${DELIVERY_COLUMNS} from tenant_webhook_deliveries where tenant_id = ? and id = ?`,
      [tenantId, deliveryId(id, 'id')],
    );
    if (!rows[0]) return null;
    const delivery = toDelivery(rows[0]);
    await this.withAttempts(tenantId, [delivery]);
    return delivery;
  }

  /** Queues one delivery again, with the same `webhook-id` and body. */
  async replayDelivery(tenantId: string, id: string): Promise<DeliveryRecord> {
    const rows = await this.sql<Record<string, unknown>>(
      `update tenant_webhook_deliveries set status = 'PENDING', retries = 0, next_attempt_at = now()
        where tenant_id = ? and id = ?
        returning ${DELIVERY_COLUMNS}`,
      [tenantId, deliveryId(id, 'id')],
    );
    if (!rows[0]) throw DomainError.notFound('Webhook delivery', id);
    this.deliverer.wake();
    const delivery = toDelivery(rows[0]);
    await this.withAttempts(tenantId, [delivery]);
    return delivery;
  }

  /** Queues again every delivery of the endpoint written at or after `since`; answers how many. */
  async replayEndpoint(tenantId: string, id: string, since: Date): Promise<number> {
    validStoredInstant(since, 'since');
    const endpoint = await this.get(tenantId, id, 'endpointId');
    const rows = await this.sql<{ n: number }>(
      `with r as (
         update tenant_webhook_deliveries set status = 'PENDING', retries = 0, next_attempt_at = now()
          where tenant_id = ? and endpoint_id = ? and created_at >= ?
          returning 1)
       select count(*)::int as n from r`,
      [tenantId, endpoint.id, since],
    );
    this.deliverer.wake();
    return rows[0]?.n ?? 0;
  }

  private async withAttempts(tenantId: string, deliveries: DeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return;
    const rows = await this.sql<Record<string, unknown>>(
      `select delivery_id, attempt, status_code, latency_ms, error, response_excerpt, created_at
         from tenant_webhook_attempts where tenant_id = ? and delivery_id in (select x::uuid from jsonb_array_elements_text(?::jsonb) x)
        order by attempt`,
      [tenantId, JSON.stringify(deliveries.map((d) => d.id))],
    );
    const byDelivery = new Map<string, AttemptRecord[]>(deliveries.map((d) => [d.id, d.attempts]));
    for (const row of rows) byDelivery.get(String(row.delivery_id))?.push(toAttempt(row));
  }

  private async checkedUrl(raw: string): Promise<string> {
    try {
      const url = parseTargetUrl(raw);
      await checkTarget(url, this.allowance);
      return url.toString();
    } catch (error) {
      if (error instanceof TargetRefused) throw error.toDomainError('input.url');
      throw error;
    }
  }
}

function checkedEvents(events: readonly WebhookEventType[], field: string): WebhookEventType[] {
  const unique = [...new Set(events)];
  if (unique.length === 0) throw DomainError.badInput(field, `${field} must name at least one event`);
  if (!unique.every((e) => WEBHOOK_EVENT_TYPES.includes(e))) {
    throw DomainError.badInput(field, `${field} names an unknown event`);
  }
  return unique;
}

function checkedDescription(description: string | null | undefined): string | null {
  if (description == null) return null;
  if (description.length > MAX_DESCRIPTION || description.includes('\0')) {
    throw DomainError.badInput(
      'input.description',
      `input.description must be at most ${MAX_DESCRIPTION} characters`,
    );
  }
  return description;
}

/** An id this API could have returned: anything else is as unknown as another tenant's. */
function endpointId(id: string, field: string): string {
  validIdArgument(id, field);
  if (!UUID.test(id)) throw DomainError.notFound('Webhook endpoint', id);
  return id.toLowerCase();
}

function deliveryId(id: string, field: string): string {
  validIdArgument(id, field);
  if (!UUID.test(id)) throw DomainError.notFound('Webhook delivery', id);
  return id.toLowerCase();
}
