import { expect } from '@jest/globals';
import { type CommandPayloads } from '../../src/outbox/commands.js';
import { signBody } from '../../src/waha/webhook-hmac.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { sql, startTestApp, type TestApp } from './app.js';
import { eventually } from './eventually.js';
import { wahaEvent } from './waha-event.js';

export const CREATE_SESSION = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id status } }`;

export interface LinkedSession {
  id: string;
  tenantId: string;
  me: string;
  /** A dashboard token of the session's tenant. */
  token: string;
}

export interface LinkOptions {
  displayName?: string;
  /** The phone's account id (default: a random German number). */
  me?: string;
}

/** The envelope fields of a hand-made WAHA event that a test may choose. */
export interface EnvelopeFields {
  id?: string;
  timestamp?: number;
}

export interface Delivered {
  status: number;
  body: Record<string, unknown>;
}

/** The app, the WAHA simulator and a session linked to a phone: what a spec of linked sessions starts from. */
export interface LinkedSessionFixture {
  t: TestApp;
  sim: WahaSimulator;
  /** The session linked at the start. */
  session: LinkedSession;
  /** Links one more session on the same app and simulator (a second line, another tenant's). */
  link(tenantSlug: string, options?: LinkOptions): Promise<LinkedSession>;
  /** deliver() on this app: a hand-made WAHA event of `session` (default: the first), signed as WAHA signs it. */
  deliver(
    event: string,
    payload: Record<string, unknown>,
    envelope?: EnvelopeFields & { session?: LinkedSession },
  ): Promise<Delivered>;
  /** Closes the app (and drops its database) and the simulator. */
  close(): Promise<void>;
}

/**
 * Starts the app (on a fresh database, with `env`) and the WAHA simulator (1/100 of WAHA's
 * clock unless `timeScale` says otherwise), and links a session of tenant `tenant` as
 * linkedSession() does.
 */
export async function startLinkedSession(
  options: { tenant: string; env?: Record<string, string>; timeScale?: number } & LinkOptions,
): Promise<LinkedSessionFixture> {
  const sim = await startWahaSimulator({ timeScale: options.timeScale ?? 0.01 });
  let t: TestApp | undefined;
  const close = async (): Promise<void> => {
    // Both, even when one fails or hangs on what the test broke (a frozen Redis).
    const closed = await Promise.allSettled([t?.close(), sim.close()]);
    const failed = closed.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    t = await startTestApp(options.env);
    const app = t;
    const link = (tenantSlug: string, linkOptions: LinkOptions = {}) =>
      linkedSession(app, sim, tenantSlug, linkOptions);
    const session = await link(options.tenant, options);
    return {
      t: app,
      sim,
      session,
      link,
      deliver: (event, payload, envelope = {}) =>
        deliver(app, envelope.session ?? session, event, payload, envelope),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
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
  options: LinkOptions = {},
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
  const me = options.me ?? `4915${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}@c.us`;
  for (let attempt = 1; ; attempt++) {
    await sim.waitForStatus(id, 'SCAN_QR_CODE');
    // A phone scans a QR the dashboard shows, so the service has applied SCAN_QR_CODE first: every
    // event of the session delivered, the row showing it. Linking at once could stamp WORKING in
    // the same millisecond as SCAN_QR_CODE (WAHA's clock is in ms); two statuses of one
    // millisecond apply in arrival order, and WAHA delivers unordered.
    await webhooksSettled(sim, id);
    const [row] = await sql<{ status: string }>(t, `select status from whatsapp_sessions where id = ?`, [id]);
    if (row?.status === 'SCAN_QR_CODE' && sim.session(id)?.status === 'SCAN_QR_CODE') {
      try {
        sim.link(id, { id: me, pushName: 'Shop' });
        break;
      } catch (error) {
        if (attempt >= MAX_LINK_ATTEMPTS) throw error;
      }
    } else if (attempt >= MAX_LINK_ATTEMPTS) {
      throw new Error(`session ${id} never stood at SCAN_QR_CODE to link (WAHA: ${sim.session(id)?.status})`);
    }
    // The QR window (six QRs, a fraction of a second each at the tests' time scale) ended before a
    // busy machine got here: the phone would ask for a new window, as this does.
    const restarted = await fetch(`${sim.url}/api/sessions/${id}/restart`, { method: 'POST' });
    if (restarted.status !== 201)
      throw new Error(`WAHA restart: ${restarted.status} ${await restarted.text()}`);
  }
  // Polls the database, not the API: the public API's rate limit is not what is tested here.
  await eventually(async () => {
    const [row] = await sql<{ status: string }>(t, `select status from whatsapp_sessions where id = ?`, [id]);
    if (row?.status !== 'WORKING') {
      const webhooks = sim
        .webhookDeliveries()
        .filter((d) => d.session === id)
        .map((d) => [d.event, d.state, d.attempts]);
      throw new Error(
        `session ${id} is ${row?.status}, not WORKING; its webhooks: ${JSON.stringify(webhooks)}`,
      );
    }
  });
  // WAHA delivers unordered: an older status (recorded, not applied) may still be on its way
  // once WORKING is stored. Linked means every link-up event has landed, so a test counting
  // rows from here counts only its own.
  await webhooksSettled(sim, id);
  return { id, tenantId: command!.tenant_id, me, token };
}

/** How many QR windows linkedSession tries before it gives up (one suffices on an idle machine). */
const MAX_LINK_ATTEMPTS = 5;

/** Resolves once the simulator has no webhook delivery of the session still being tried. */
export async function webhooksSettled(sim: WahaSimulator, session: string): Promise<void> {
  await eventually(() => {
    const pending = sim.webhookDeliveries().filter((d) => d.session === session && d.state === 'pending');
    expect(pending.map((d) => [d.event, d.attempts])).toEqual([]);
  });
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
  envelope: EnvelopeFields = {},
): Promise<Delivered> {
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
