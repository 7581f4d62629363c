/** What can be published. Every channel also carries the tenant id: `${topic}:${tenantId}`. */
export const Topic = {
  /** A session's state changed (status, QR, pairing code, account, error). Payload: SessionUpdatedPayload. */
  SESSION_UPDATED: 'session.updated',
  /** A message was stored (inbound or outbound) or its delivery status moved. Payload: MessageEventPayload. */
  MESSAGE_UPSERTED: 'message.upserted',
} as const;
export type Topic = (typeof Topic)[keyof typeof Topic];

/** The tenant is part of every channel name, so a subscriber can only ever hear its own tenant. */
export function channelOf(topic: Topic, tenantId: string): string {
  if (!tenantId) throw new Error('A channel needs a tenant id');
  return `${topic}:${tenantId}`;
}

/** Payloads cross Redis as JSON: dates are ISO strings. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
