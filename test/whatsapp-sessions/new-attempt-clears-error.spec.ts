import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  graphqlWsClient,
  report,
  SESSION_UPDATED,
  type SessionUpdate,
  subscribeWs,
} from '../realtime/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { deliver } from '../support/linked-session.js';
import { CREATE, GET } from './sessions.fragments.js';
import { type N8nStandIn, type StandInStack, startStandInStack } from './support/n8n-stand-in.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };
type Session = SessionUpdate['session'];

/**
 * `lastError` says why the session is where it is. Once WAHA starts a new attempt (a refreshed
 * QR window, a restart), the old failure is history: the dashboard must not show a new QR next
 * to it. An error of the new attempt itself still shows.
 */
describe('a FAILED session given a new window', () => {
  let t: TestApp;
  let n8n: N8nStandIn;
  let token: string;
  let stack: StandInStack;

  beforeAll(async () => {
    // WAHA's clock at 1/20: the window (six QRs) ends after 8 s.
    stack = await startStandInStack(0.05);
    ({ t, n8n, token } = stack);
  });
  afterAll(() => stack?.close());

  async function failedThenRetried(displayName: string, mutation: string): Promise<Session[]> {
    const created = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    const { id } = created.data!.createWhatsappSession;
    const ws = graphqlWsClient(t, token);
    try {
      const updates = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      const failedAt = (all: Updated[]) =>
        all.findIndex((u) => u.whatsappSessionUpdated.session.status === 'FAILED');
      await updates.collected.until((all) => failedAt(all) >= 0);
      const asked = await t.gql(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id }, { token });
      expect(asked.errors).toBeUndefined();
      // Up to the first QR of the new window.
      const items = await updates.collected.until((all) =>
        all.slice(failedAt(all)).some((u) => u.whatsappSessionUpdated.session.qr !== null),
      );
      updates.dispose();
      return items.slice(failedAt(items)).map((u) => u.whatsappSessionUpdated.session);
    } finally {
      await ws.dispose();
    }
  }

  function expectNewWindowWithoutOldError(sessions: Session[]) {
    const [failed, ...after] = sessions;
    expect(failed!.lastError?.message).toMatch(/QR window ended/);
    // Every update of the new attempt, live, up to and with its first QR: no old reason next to it.
    const attempt = after.filter((s) => s.status === 'STARTING' || s.status === 'SCAN_QR_CODE');
    expect(attempt.length).toBeGreaterThan(0);
    expect(attempt.map((s) => [s.status, s.lastError])).toEqual(attempt.map((s) => [s.status, null]));
    expect(after.at(-1)).toMatchObject({ status: 'SCAN_QR_CODE', lastError: null });
    expect(after.at(-1)!.qr).not.toBeNull();
  }

  it('by refreshWhatsappSessionQr: the new QR comes without the old reason', async () => {
    const sessions = await failedThenRetried('Refreshed after FAILED', 'refreshWhatsappSessionQr');
    expectNewWindowWithoutOldError(sessions);
    const read = await t.gql<{ whatsappSession: Session }>(GET, { id: sessions[0]!.id }, { token });
    expect(read.data!.whatsappSession.lastError).toBeNull();
    expect(n8n.errors).toEqual([]);
  });

  it('by restartWhatsappSession: the same', async () => {
    const sessions = await failedThenRetried('Restarted after FAILED', 'restartWhatsappSession');
    expectNewWindowWithoutOldError(sessions);
    expect(n8n.errors).toEqual([]);
  });
});

/**
 * When exactly the old failure becomes history: when WAHA reports the new attempt (STARTING),
 * as of the moment WAHA stamped it. WAHA delivers its events unordered and late, and n8n reports
 * on its own path, so an event of the new attempt may land after an error of that attempt:
 * that error must stay. Hand-made events, to choose their order and timestamps.
 */
describe('the new attempt forgets only the errors before it', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('shop');
  });
  afterAll(() => t?.close());

  const status = (name: string, value: string) => ({
    name,
    status: value,
    statuses: [{ status: value, timestamp: Date.now() }],
  });

  it('clears the FAILED reason at STARTING, and keeps an error reported during the attempt', async () => {
    const created = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: 'Failed, restarted, refused' } },
      { token },
    );
    const id = created.data!.createWhatsappSession.id;
    const s = { id, tenantId: '', me: '4915100000000@c.us', token };
    const read = async () =>
      (await t.gql<{ whatsappSession: Session }>(GET, { id }, { token })).data!.whatsappSession;
    const ws = graphqlWsClient(t, token);
    try {
      const updates = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      await updates.collected.until((all) => all.length > 0);
      const latest = (all: Updated[]) => all.at(-1)!.whatsappSessionUpdated.session;

      // The window ran out: FAILED, with its reason.
      const start = Date.now();
      await deliver(t, s, 'session.status', status(id, 'SCAN_QR_CODE'), { timestamp: start - 3000 });
      await deliver(t, s, 'session.status', status(id, 'FAILED'), { timestamp: start - 2000 });
      const failed = await read();
      expect(failed.lastError?.message).toMatch(/QR window ended/);
      const failedAt = Date.parse(failed.lastError!.at!);

      // The restart: WAHA stops the session and boots it, both after the failure was noted.
      await deliver(t, s, 'session.status', status(id, 'STOPPED'), { timestamp: failedAt + 1 });
      await deliver(t, s, 'session.status', status(id, 'STARTING'), { timestamp: failedAt + 2 });
      const starting = await updates.collected.until((all) => latest(all).status === 'STARTING');
      expect(latest(starting).lastError).toBeNull();

      // WAHA refuses a command of the new attempt; then an event of that attempt, stamped before the
      // refusal, lands late: the refusal is what the dashboard must still read.
      // The clock passes the boot.
      await eventually(() => expect(Date.now()).toBeGreaterThan(failedAt + 3));
      await report(t, 'reportSessionFailure', {
        sessionId: id,
        reason: 'WAHA refused POST /api/{session}/auth/request-code',
        wahaStatusCode: 422,
        wahaMessage: 'Session status is not as expected',
        status: 'STOPPED',
      });
      const refused = await read();
      expect(refused).toMatchObject({
        status: 'STOPPED',
        lastError: { message: expect.stringMatching(/refused/) },
      });
      const refusedAt = Date.parse(refused.lastError!.at!);
      await deliver(t, s, 'session.status', status(id, 'SCAN_QR_CODE'), { timestamp: refusedAt - 1 });
      const after = await updates.collected.until((all) => latest(all).status === 'SCAN_QR_CODE');
      expect(latest(after).lastError).toEqual(refused.lastError);
      expect(await read()).toMatchObject({ status: 'SCAN_QR_CODE', lastError: refused.lastError });
      updates.dispose();
    } finally {
      await ws.dispose();
    }
  });
});
