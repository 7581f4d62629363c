import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * WAHA's webhook signature: `X-Webhook-Hmac` is the hex HMAC-SHA512 of the exact body bytes
 * under the key set in the session's webhook config (`hmac.key`), with
 * `X-Webhook-Hmac-Algorithm: sha512`.
 */
export function signBody(body: Buffer | string, key: string): string {
  return createHmac('sha512', key).update(body).digest('hex');
}

/** Constant-time check of a hex HMAC-SHA512 of exactly these bytes. */
export function verifySignature(body: Buffer, signature: string | undefined, key: string): boolean {
  if (!signature || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signBody(body, key), 'hex'), Buffer.from(signature, 'hex'));
}
