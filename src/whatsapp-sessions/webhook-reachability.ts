import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import got from 'got';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { PROBE_HEADER } from '../config/http-surface.js';
import { signBody, verifySignature } from '../waha/webhook-hmac.js';

/**
 * Before a session is created, the service proves that WAHA will be able to reach it:
 * it POSTs a signed probe to its own public webhook URL and expects the nonce back. Only a
 * replica of this service (which shares the key) can answer, so a proxy answering 200 to
 * everything does not pass.
 */
export const PROBE_EVENT = 'whatsapp-hub.probe';
const PROBE_TIMEOUT_MS = 5000;

/** Derived from the internal API key, which every replica shares; never sent anywhere. */
export function probeKey(config: AppConfig): string {
  return createHmac('sha256', config.internalApi.key).update('whatsapp-hub webhook probe').digest('hex');
}

/**
 * For the webhook endpoint: if `body` is a probe correctly signed with the probe key,
 * the JSON to answer with; otherwise null (not a probe, or not ours).
 */
export function answerProbe(
  rawBody: Buffer,
  signature: string | undefined,
  config: AppConfig,
): { probe: string } | null {
  // Every WAHA event passes here first: parse only what can be a probe (our prober writes the
  // event name as plain JSON text, never escaped).
  if (!rawBody.includes(PROBE_EVENT)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  const probe = parsed as { event?: unknown; payload?: { nonce?: unknown } };
  if (probe.event !== PROBE_EVENT || typeof probe.payload?.nonce !== 'string') return null;
  if (!verifySignature(rawBody, signature, probeKey(config))) return null;
  return { probe: probe.payload.nonce };
}

@Injectable()
export class WebhookProbe {
  private readonly logger = new Logger(WebhookProbe.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Throws WEBHOOK_UNREACHABLE unless this service's public webhook URL answers a signed probe.
   * The URL and what answered are internal (an address, a network error): they go to the log
   * under an errorId, and the tenant's user gets the code, a plain reason and that errorId.
   */
  async prove(): Promise<void> {
    if (!this.config.webhooks.probeOnCreate) return;
    const url = this.config.webhooks.publicUrl;
    const nonce = randomBytes(16).toString('hex');
    const body = JSON.stringify({
      id: `probe_${nonce}`,
      timestamp: Date.now(),
      event: PROBE_EVENT,
      session: null,
      payload: { nonce },
    });
    let reason: string;
    try {
      const response = await got.post(url, {
        body,
        headers: {
          'content-type': 'application/json',
          'x-webhook-hmac': signBody(body, probeKey(this.config)),
          'x-webhook-hmac-algorithm': 'sha512',
          [PROBE_HEADER]: '1',
        },
        timeout: { request: PROBE_TIMEOUT_MS },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
      });
      if (response.statusCode >= 200 && response.statusCode < 300) {
        const answer = JSON.parse(response.body) as { probe?: unknown };
        if (answer.probe === nonce) return;
        reason = 'it answered, but not as this service (the probe was not echoed)';
      } else {
        reason = `it answered HTTP ${response.statusCode}`;
      }
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    const errorId = randomUUID();
    this.logger.warn(
      `errorId=${errorId} The public webhook URL ${url} failed the signed probe (${reason}): sessions cannot be created until PUBLIC_WEBHOOK_URL reaches this service`,
    );
    throw new DomainError(
      ErrorCode.WEBHOOK_UNREACHABLE,
      'This service could not reach its own webhook URL, so WhatsApp events could not be delivered to it; ' +
        'an operator must check PUBLIC_WEBHOOK_URL (the log has the details under this errorId).',
      { details: { errorId } },
    );
  }
}
