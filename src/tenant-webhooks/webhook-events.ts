/**
 * The events a tenant's endpoints can subscribe to, as Standard Webhooks `type`s, and the SQL the
 * domains use to write their deliveries in the same statement or transaction as the change (a
 * transactional outbox: a change that rolls back reports nothing, and a committed one is never lost).
 */
export const WebhookEventType = {
  MESSAGE_RECEIVED: 'message.received',
  MESSAGE_STATUS_CHANGED: 'message.status_changed',
  SESSION_STATUS_CHANGED: 'session.status_changed',
  MEDIA_READY: 'media.ready',
} as const;
export type WebhookEventType = (typeof WebhookEventType)[keyof typeof WebhookEventType];
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = Object.values(WebhookEventType);

/** ISO 8601 in UTC with milliseconds, as `timestamp` and every time in `data` is sent. */
export function isoSql(expression: string): string {
  return `to_char((${expression}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * An `insert ... select` of one delivery per enabled endpoint subscribed to `type`, for each row of
 * `rowsSql` (a select with a `tenant_id` column; its other columns are `ev.<name>` in `dataSql`, a
 * jsonb expression: the event's `data`). A tenant without endpoints costs one index probe
 * (tenant_webhook_endpoints by tenant_id) and writes nothing. The body is Standard Webhooks'
 * `{type, timestamp, data}`, stored as sent, so a retry or a replay sends the same bytes.
 */
export function deliveriesInsertSql(type: WebhookEventType, rowsSql: string, dataSql: string): string {
  return `insert into tenant_webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload, status, attempts,
      retries, next_attempt_at, created_at)
    select gen_random_uuid(), e.tenant_id, e.id, '${type}',
      jsonb_build_object('type', '${type}', 'timestamp', ${isoSql('now()')}, 'data', ${dataSql}),
      'PENDING', 0, 0, now(), now()
    from (${rowsSql}) ev
    join tenant_webhook_endpoints e on e.tenant_id = ev.tenant_id and e.enabled and '${type}' = any(e.events)`;
}
