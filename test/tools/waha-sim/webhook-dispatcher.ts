import { createHmac } from 'node:crypto';

import { ulid } from 'ulid';

import type { RetriesConfiguration, WebhookConfig } from '../../../src/waha/waha.types.js';

/** WAHA's defaults when a webhook has no `retries` block. */
export const DEFAULT_RETRIES: Required<RetriesConfiguration> = {
  policy: 'constant',
  delaySeconds: 2,
  attempts: 15,
};

/** Every event WAHA 2026.7 can send (the spec's enum of webhook events), as a webhook may name them. */
export const WAHA_EVENTS = [
  'session.status',
  'message',
  'message.reaction',
  'message.any',
  'message.ack',
  'message.ack.group',
  'message.waiting',
  'message.revoked',
  'message.edited',
  'state.change',
  'group.join',
  'group.leave',
  'group.v2.join',
  'group.v2.leave',
  'group.v2.update',
  'group.v2.participants',
  'presence.update',
  'poll.vote',
  'poll.vote.failed',
  'chat.archive',
  'call.received',
  'call.accepted',
  'call.rejected',
  'label.upsert',
  'label.deleted',
  'label.chat.added',
  'label.chat.deleted',
  'event.response',
  'event.response.failed',
  'engine.event',
] as const;

/** How long one delivery attempt may take before it counts as failed (not scaled). */
const ATTEMPT_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 500;

export interface WebhookAttempt {
  attempt: number;
  at: number;
  /** The receiver's HTTP status; absent when the request itself failed. */
  status?: number;
  error?: string;
}

export interface WebhookDelivery {
  requestId: string;
  url: string;
  event: string;
  session: string;
  eventId: string;
  /** True for the extra copy sent by "duplicate next webhooks". */
  duplicate: boolean;
  state: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: WebhookAttempt[];
}

export interface DispatcherOptions {
  timeScale: number;
  /** Asked once per delivery: true means send this one twice. */
  takeDuplicate: () => boolean;
}

/**
 * Sends events the way WAHA does: one POST per configured webhook whose `events` match,
 * the raw JSON body signed with HMAC-SHA512 when `hmac.key` is set, the same
 * X-Webhook-Request-Id on every retry, retries of any non-2xx or network failure per the
 * webhook's `retries` policy (delays multiplied by the time scale). Deliveries run
 * concurrently and unordered, as in WAHA.
 */
export class WebhookDispatcher {
  private readonly log: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {}

  dispatch(
    hooks: readonly WebhookConfig[] | undefined,
    envelope: { id: string; event: string; session: string },
  ) {
    if (!hooks || this.abort.signal.aborted) return;
    const body = JSON.stringify(envelope);
    for (const hook of hooks) {
      if (!hook.events.includes(envelope.event) && !hook.events.includes('*')) continue;
      const requestId = ulid();
      const copies = this.options.takeDuplicate() ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const delivery: WebhookDelivery = {
          requestId,
          url: hook.url,
          event: envelope.event,
          session: envelope.session,
          eventId: envelope.id,
          duplicate: copy > 0,
          state: 'pending',
          attempts: [],
        };
        this.remember(delivery);
        this.attempt(hook, body, delivery);
      }
    }
  }

  deliveries(): readonly WebhookDelivery[] {
    return this.log;
  }

  clearLog(): void {
    this.log.length = 0;
  }

  async close(): Promise<void> {
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const delivery of this.log) if (delivery.state === 'pending') delivery.state = 'cancelled';
    await Promise.allSettled([...this.inFlight]);
  }

  private remember(delivery: WebhookDelivery) {
    this.log.push(delivery);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }

  private attempt(hook: WebhookConfig, body: string, delivery: WebhookDelivery) {
    const run = this.send(hook, body, delivery).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async send(hook: WebhookConfig, body: string, delivery: WebhookDelivery): Promise<void> {
    if (this.abort.signal.aborted) return;
    const number = delivery.attempts.length + 1;
    const record: WebhookAttempt = { attempt: number, at: Date.now() };
    delivery.attempts.push(record);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'WAHA/2026.7.1 (simulator)',
      'x-webhook-request-id': delivery.requestId,
      'x-webhook-timestamp': String(record.at),
    };
    const key = hook.hmac?.key;
    if (key) {
      headers['x-webhook-hmac'] = createHmac('sha512', key).update(body).digest('hex');
      headers['x-webhook-hmac-algorithm'] = 'sha512';
    }
    for (const header of hook.customHeaders ?? []) headers[header.name] = header.value;

    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      record.status = response.status;
      await response.body?.cancel();
      if (response.ok) {
        delivery.state = 'delivered';
        return;
      }
    } catch (error) {
      if (this.abort.signal.aborted) {
        delivery.state = 'cancelled';
        return;
      }
      record.error =
        error instanceof Error ? (error.cause as Error | undefined)?.message || error.message : 'failed';
    }

    const policy = { ...DEFAULT_RETRIES, ...stripUndefined(hook.retries ?? {}) };
    if (number >= policy.attempts) {
      delivery.state = 'failed';
      return;
    }
    const delayMs = retryDelaySeconds(policy, number) * 1000 * this.options.timeScale;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.attempt(hook, body, delivery);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}

/** The wait before retry number `retry` (1 = the first retry). */
export function retryDelaySeconds(policy: Required<RetriesConfiguration>, retry: number): number {
  switch (policy.policy) {
    case 'linear':
      return policy.delaySeconds * retry;
    case 'exponential':
      return policy.delaySeconds * 2 ** (retry - 1);
    default:
      return policy.delaySeconds;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as Partial<T>;
}
