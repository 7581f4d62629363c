import { type WebhookDeliveryStatus } from './webhook-delivery.entity.js';
import { type WebhookEventType } from './webhook-events.js';
import { webhookIdOf } from './webhook-signing.js';

/** Rows of the tenant webhook tables as the service hands them on; never the secrets. */

export interface EndpointRecord {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AttemptRecord {
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseExcerpt: string | null;
  createdAt: Date;
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  endpointId: string;
  eventType: WebhookEventType;
  payload: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  attempts: AttemptRecord[];
}

/** The endpoint columns a tenant may see: the secrets are left out here, once. */
export const ENDPOINT_COLUMNS = `id, url, events, description, enabled, disabled_reason, consecutive_failures,
  case when previous_secret_expires_at > now() then previous_secret_expires_at end as previous_secret_expires_at,
  created_at, updated_at`;

export const DELIVERY_COLUMNS = `id, endpoint_id, event_type, payload::text as payload, status, attempts, next_attempt_at,
  last_status_code, last_error, created_at, delivered_at`;

const date = (value: unknown): Date => new Date(value as string);
const dateOrNull = (value: unknown): Date | null => (value == null ? null : date(value));

export function toEndpoint(row: Record<string, unknown>): EndpointRecord {
  return {
    id: String(row.id),
    url: String(row.url),
    events: row.events as WebhookEventType[],
    description: (row.description as string | null) ?? null,
    enabled: Boolean(row.enabled),
    disabledReason: (row.disabled_reason as string | null) ?? null,
    consecutiveFailures: Number(row.consecutive_failures),
    previousSecretExpiresAt: dateOrNull(row.previous_secret_expires_at),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function toDelivery(row: Record<string, unknown>): DeliveryRecord {
  const status = row.status as WebhookDeliveryStatus;
  return {
    id: String(row.id),
    webhookId: webhookIdOf(String(row.id)),
    endpointId: String(row.endpoint_id),
    eventType: row.event_type as WebhookEventType,
    payload: String(row.payload),
    status,
    attemptCount: Number(row.attempts),
    nextAttemptAt: status === 'PENDING' ? dateOrNull(row.next_attempt_at) : null,
    lastStatusCode: row.last_status_code == null ? null : Number(row.last_status_code),
    lastError: (row.last_error as string | null) ?? null,
    createdAt: date(row.created_at),
    deliveredAt: dateOrNull(row.delivered_at),
    attempts: [],
  };
}

export function toAttempt(row: Record<string, unknown>): AttemptRecord {
  return {
    attempt: Number(row.attempt),
    statusCode: row.status_code == null ? null : Number(row.status_code),
    latencyMs: Number(row.latency_ms),
    error: (row.error as string | null) ?? null,
    responseExcerpt: (row.response_excerpt as string | null) ?? null,
    createdAt: date(row.created_at),
  };
}
