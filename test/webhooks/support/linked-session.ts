import { MikroORM } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { type CommandPayloads } from '../../../src/outbox/commands.js';
import { type WahaSimulator } from '../../tools/waha-sim/waha-simulator.js';
import { type TestApp } from '../../support/app.js';
import { wahaEvent } from '../../support/waha-event.js';
import { INTERNAL_KEY_HEADER } from '../../../src/config/http-surface.js';

export const CREATE_SESSION = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id status } }`;

/** Rows of the app's own database (outbox commands, webhook events), across tenants. */
export async function sql<T = Record<string, unknown>>(
  t: TestApp,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  const em = t.app.get(MikroORM).em.fork() as EntityManager;
  return em.execute<T[]>(query, params);
}

/** Polls `probe` until it returns a truthy value: for effects of asynchronous webhook deliveries. */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  what: string | (() => string),
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(
        `Timed out waiting for ${typeof what === 'string' ? what : what()} (last: ${JSON.stringify(last)})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once the simulator has no webhook delivery of the session still being tried. */
export async function webhooksSettled(sim: WahaSimulator, session: string): Promise<void> {
  await eventually(
    () => sim.webhookDeliveries().every((d) => d.session !== session || d.state !== 'pending'),
    `the webhooks of ${session} to be delivered`,
  );
}

export async function internalGql<T = Record<string, unknown>>(
  t: TestApp,
  query: string,
  variables: Record<string, unknown> = {},
) {
  return t.gql<T>(query, variables, {
    path: '/internal/graphql',
    headers: { [INTERNAL_KEY_HEADER]: t.config.internalApi.key },
  });
}

export interface LinkedSession {
  id: string;
  tenantId: string;
  me: string;
  token: string;
}

/**
 * A session the way production gets one, with n8n's part played by the test: the dashboard
 * creates it, the session.create command's WAHA request is sent to the simulator (its webhook
 * URL pointed at this app's port, which the config could not know before listening), and the
 * phone links. Every status change reaches the app as a real signed webhook.
 */
export async function linkedSession(
  t: TestApp,
  sim: WahaSimulator,
  tenantSlug: string,
  options: { displayName?: string; me?: string } = {},
): Promise<LinkedSession> {
  const token = await t.token(tenantSlug);
  const created = await t.gql<{ createWhatsappSession: { id: string } }>(
    CREATE_SESSION,
    { input: { displayName: options.displayName ?? `Line ${Math.random().toString(36).slice(2, 8)}` } },
    { token },
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  const { id } = created.data.createWhatsappSession;
  const [command] = await sql<{ payload: CommandPayloads['session.create']; tenant_id: string }>(
    t,
    `select payload, tenant_id from outbox_commands where session_id = ? and type = 'session.create'`,
    [id],
  );
  const request = command!.payload.wahaRequest;
  const webhooks = request.config.webhooks.map((hook) => ({ ...hook, url: `${t.url}/webhooks/waha` }));
  const response = await fetch(`${sim.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...request, config: { ...request.config, webhooks } }),
  });
  if (response.status !== 201) throw new Error(`WAHA create: ${response.status} ${await response.text()}`);
  await sim.waitForStatus(id, 'SCAN_QR_CODE');
  const me = options.me ?? `4915${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}@c.us`;
  sim.link(id, { id: me, pushName: 'Shop' });
  // Polls the database, not the API: the public API's rate limit is not what is tested here.
  await eventually(
    async () => {
      const [row] = await sql<{ status: string }>(t, `select status from whatsapp_sessions where id = ?`, [
        id,
      ]);
      return row?.status === 'WORKING';
    },
    () =>
      `session ${id} to be WORKING; its webhooks: ${JSON.stringify(
        sim
          .webhookDeliveries()
          .filter((d) => d.session === id)
          .map((d) => [d.event, d.state, d.attempts]),
      )}`,
  );
  // WAHA delivers unordered: an older status (recorded, not applied) may still be on its way
  // once WORKING is stored. Linked means every link-up event has landed, so a test counting
  // rows from here counts only its own.
  await webhooksSettled(sim, id);
  return { id, tenantId: command!.tenant_id, me, token };
}

/** The session's HMAC key, as WAHA has it (never exposed by the API). */
export async function hmacKeyOf(t: TestApp, sessionId: string): Promise<string> {
  const [row] = await sql<{ webhook_hmac_key: string }>(
    t,
    `select webhook_hmac_key from whatsapp_sessions where id = ?`,
    [sessionId],
  );
  return row!.webhook_hmac_key;
}

/**
 * Delivers a hand-made WAHA event, signed with the session's key as WAHA signs it, for
 * what the simulator cannot do on demand (a chosen timestamp, an ack before its message).
 */
export async function deliver(
  t: TestApp,
  session: LinkedSession,
  event: string,
  payload: Record<string, unknown>,
  envelope: { id?: string; timestamp?: number } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(
    wahaEvent({
      id: envelope.id ?? `evt_${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`,
      timestamp: envelope.timestamp ?? Date.now(),
      event,
      session: session.id,
      me: { id: session.me, pushName: 'Shop' },
      payload,
    }),
  );
  const { signBody } = await import('../../../src/waha/webhook-hmac.js');
  const response = await fetch(`${t.url}/webhooks/waha`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-webhook-hmac': signBody(body, await hmacKeyOf(t, session.id)),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** An inbound WAMessage from `from` at `seconds` (Unix time). */
export function inboundMessage(
  session: LinkedSession,
  from: string,
  body: string,
  seconds: number,
  id?: string,
) {
  return {
    id: `false_${from}_${id ?? `3EB0${Math.random().toString(16).slice(2, 18).toUpperCase()}`}`,
    timestamp: seconds,
    from,
    fromMe: false,
    source: 'app',
    to: session.me,
    body,
    hasMedia: false,
    ack: 1,
    ackName: 'SERVER',
  };
}
