import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in Standard Webhooks' form: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The `webhook-id` of a delivery: the same for every attempt and replay of it. */
export function webhookIdOf(deliveryId: string): string {
  return `msg_${deliveryId.replaceAll('-', '')}`;
}

/** The delivery id a `webhook-id` names, or null for anything else. */
export function deliveryIdOf(webhookId: string): string | null {
  const hex = /^msg_([0-9a-f]{32})$/.exec(webhookId)?.[1];
  return hex
    ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    : null;
}

/**
 * Standard Webhooks' headers for one attempt. Each secret signs (space-separated `v1,<base64>`),
 * so during a rotation's overlap a receiver verifying with either the old or the new secret accepts.
 */
export function signedHeaders(
  webhookId: string,
  body: string,
  secrets: readonly string[],
  at: Date,
): Record<string, string> {
  // standardwebhooks signs whole seconds, as its verify() expects.
  const timestamp = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp.getTime() / 1000),
    'webhook-signature': secrets
      .map((secret) => new Webhook(secret).sign(webhookId, timestamp, body))
      .join(' '),
  };
}
