import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { graphqlWsClient, SESSION_UPDATED, type SessionUpdate, subscribeWs } from '../realtime/support.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { deliver, webhooksSettled } from '../support/linked-session.js';
import { CREATE, GET } from './sessions.fragments.js';
import { type N8nStandIn, type StandInStack, startStandInStack } from './support/n8n-stand-in.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };
type Session = SessionUpdate['session'];

/**
 * A session WAHA fails must say why: the dashboard shows `lastError` next to FAILED. WAHA's
 * session.status event carries no reason for the end of the QR window (its `payload.data` is
 * null for most statuses), so the service names the likely one; when WAHA does say more, that
 * is what the dashboard reads.
 */
describe('a session WAHA fails at the end of its QR window', () => {
  let t: TestApp;
  let sim: WahaSimulator;
  let n8n: N8nStandIn;
  let token: string;

  let stack: StandInStack;
  beforeAll(async () => {
    // WAHA's clock at 1/20: QRs of 3 s, then 1 s each; the window ends after 8 s.
    stack = await startStandInStack(0.05);
    ({ t, sim, n8n, token } = stack);
  });
  afterAll(() => stack?.close());

  it('is FAILED with a reason, pushed live and kept', async () => {
    const created = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: 'Nobody scans' } },
      { token },
    );
    const id = created.data!.createWhatsappSession.id;
    const ws = graphqlWsClient(t, token);
    try {
      const updates = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      const items = await updates.collected.until((all) =>
        all.some((u) => u.whatsappSessionUpdated.session.status === 'FAILED'),
      );
      const failed = items.find((u) => u.whatsappSessionUpdated.session.status === 'FAILED')!
        .whatsappSessionUpdated.session;
      // The very update that says FAILED says why: no dashboard has to wait for another one.
      expect(failed.lastError?.message).toMatch(/QR window ended/);
      expect(failed.lastError?.at).not.toBeNull();
      expect(failed.qr).toBeNull();
      updates.dispose();
    } finally {
      await ws.dispose();
    }
    expect(n8n.errors).toEqual([]);

    // Every event of the window has landed (WAHA retries; a late one must not erase the reason).
    await webhooksSettled(sim, id);
    const read = await t.gql<{ whatsappSession: Session }>(GET, { id }, { token });
    expect(read.data!.whatsappSession).toMatchObject({
      status: 'FAILED',
      lastError: { message: expect.stringMatching(/QR window ended/) },
    });
  });
});

describe('a session.status FAILED event from WAHA', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('shop');
  });
  afterAll(() => t?.close());

  async function session(displayName: string) {
    const created = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName } },
      { token },
    );
    return { id: created.data!.createWhatsappSession.id, tenantId: '', me: '4915100000000@c.us', token };
  }
  const status = (name: string, value: string, data?: unknown) => ({
    name,
    status: value,
    statuses: [{ status: value, timestamp: Date.now() }],
    ...(data === undefined ? {} : { data }),
  });
  const lastError = async (id: string) =>
    (
      await sql<{ last_error: string | null }>(t, `select last_error from whatsapp_sessions where id = ?`, [
        id,
      ])
    )[0]!.last_error;

  it('carries what WAHA says in payload.data', async () => {
    const s = await session('Crashed');
    const answer = await deliver(
      t,
      s,
      'session.status',
      status(s.id, 'FAILED', { error: 'Browser closed unexpectedly' }),
    );
    expect(answer.status).toBe(200);
    expect(await lastError(s.id)).toBe('WAHA reported the session FAILED: Browser closed unexpectedly');
  });

  it('says so plainly when WAHA gives no reason, from any state', async () => {
    const s = await session('Starting, then failed');
    await deliver(t, s, 'session.status', status(s.id, 'STARTING'), { timestamp: Date.now() - 1000 });
    await deliver(t, s, 'session.status', status(s.id, 'FAILED', null));
    expect(await lastError(s.id)).toMatch(/^WAHA reported the session FAILED\b/);
  });
});
