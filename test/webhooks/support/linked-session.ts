import { MikroORM } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { type CommandPayloads } from '../../../src/n8n/commands.js';
import { INTERNAL_KEY_HEADER } from '../../../src/auth/access.guard.js';
import { type WahaSimulator } from '../../../src/waha-sim/waha-simulator.js';
import { type TestApp } from '../../support/app.js';

export const CREATE_SESSION = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id status } }`;
export const SESSION_STATUS = `query($id: ID!) { whatsappSession(id: $id) { id status me { id pushName } } }`;

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
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
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
  await eventually(async () => {
    const read = await t.gql<{ whatsappSession: { status: string } }>(SESSION_STATUS, { id }, { token });
    return read.data?.whatsappSession.status === 'WORKING';
  }, `session ${id} to be WORKING`);
  return { id, tenantId: command!.tenant_id, me, token };
}
