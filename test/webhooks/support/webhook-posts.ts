import { ulid } from 'ulid';
import { signBody } from '../../../src/waha/webhook-hmac.js';
import {
  METADATA_SESSION_ID,
  METADATA_TENANT_ID,
} from '../../../src/whatsapp-sessions/waha-session-request.js';
import { sql } from '../../support/app.js';
import { hmacKeyOf, type LinkedSessionFixture, startLinkedSession } from '../../support/linked-session.js';
import { wahaEvent } from '../../support/waha-event.js';

/** WAHA's global webhook key the webhook specs' app is started with. */
export const GLOBAL_KEY = 'global-webhook-key-for-tests-0123456789';
/** The body limit the webhook specs' app is started with. */
export const MAX_BODY = 8192;

export interface Answer {
  status: number;
  body: { status?: string; eventId?: string; reason?: string; error?: { code: string; message: string } };
}

/** A linked session on an app with GLOBAL_KEY and MAX_BODY (and `env`), and the session's webhook key. */
export interface WebhookFixture extends LinkedSessionFixture {
  key: string;
}

export async function startWebhookFixture(
  tenant: string,
  env: Record<string, string> = {},
): Promise<WebhookFixture> {
  const f = await startLinkedSession({
    tenant,
    env: { WEBHOOK_GLOBAL_HMAC_KEY: GLOBAL_KEY, WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY), ...env },
  });
  return { ...f, key: await hmacKeyOf(f.t, f.session.id) };
}

/**
 * Raw POSTs to /webhooks/waha as WAHA makes them, on the fixture `on` gives when called (a
 * spec's, started in its beforeAll).
 */
export function webhookPosts(on: () => WebhookFixture) {
  /** A WAHA `message` event as WAHA's webhook sends it (openapi: WAHAWebhookMessage). */
  function inboundEvent(
    overrides: { from?: string; body?: string; sessionId?: string; metadata?: Record<string, string> } = {},
  ) {
    const { session } = on();
    const from = overrides.from ?? '4917000000001@c.us';
    const sessionId = overrides.sessionId ?? session.id;
    return wahaEvent({
      id: `evt_${ulid().toLowerCase()}`,
      timestamp: Date.now(),
      event: 'message',
      session: sessionId,
      metadata: overrides.metadata ?? {
        [METADATA_TENANT_ID]: session.tenantId,
        [METADATA_SESSION_ID]: sessionId,
      },
      me: { id: session.me, pushName: 'Shop' },
      payload: {
        id: `false_${from}_3EB0${ulid()}`,
        timestamp: Math.floor(Date.now() / 1000),
        from,
        fromMe: false,
        source: 'app',
        to: session.me,
        body: overrides.body ?? 'Hello',
        hasMedia: false,
        ack: 1,
        ackName: 'SERVER',
      },
    });
  }

  async function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${on().t.url}/webhooks/waha`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as Answer['body'] };
  }

  /** WAHA's signature headers of `body`, with the session's key unless another is given. */
  const signed = (body: string, signingKey = on().key) => ({
    'x-webhook-hmac': signBody(body, signingKey),
    'x-webhook-hmac-algorithm': 'sha512',
  });

  /** Rows an event may write, across the database. */
  async function counts() {
    const [row] = await sql<{ events: number; messages: number; chats: number; commands: number }>(
      on().t,
      `select (select count(*) from webhook_events)::int as events, (select count(*) from messages)::int as messages,
        (select count(*) from chats)::int as chats, (select count(*) from outbox_commands where type = 'message.received')::int as commands`,
    );
    return row!;
  }

  return { inboundEvent, post, signed, counts };
}
