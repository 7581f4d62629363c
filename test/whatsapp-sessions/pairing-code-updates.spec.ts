import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphqlWsClient, SESSION_UPDATED, type SessionUpdate, subscribeWs } from '../realtime/support.js';
import { type TestApp } from '../support/app.js';
import { CREATE } from './sessions.fragments.js';
import { type N8nStandIn, type StandInStack, startStandInStack } from './support/n8n-stand-in.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };
type Session = SessionUpdate['session'];

/** What an update tells a dashboard, but for `updatedAt` (which only says when the row was written). */
const shown = ({ updatedAt: _updatedAt, ...session }: Session) => JSON.stringify(session);

/**
 * A live update is news: it is published when something the API shows of the session changed.
 * WAHA rotates its QRs for a pairing-code session too (a session.status SCAN_QR_CODE event each
 * time), which the service follows to know where WAHA's window stands; the dashboard, which
 * shows the code and not the QRs, has nothing new to show for them.
 */
describe('live updates of a session pairing by phone code', () => {
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

  it('are pushed for the code and for FAILED, not once more per QR rotation', async () => {
    const created = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: 'Code, no scan', authMethod: 'PHONE_CODE', phoneNumber: '+49 151 2345678' } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    const { id } = created.data!.createWhatsappSession;
    const ws = graphqlWsClient(t, token);
    let sessions: Session[];
    try {
      const updates = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      // The whole window: the code, WAHA's six QR events, then FAILED.
      const items = await updates.collected.until((all) =>
        all.some((u) => u.whatsappSessionUpdated.session.status === 'FAILED'),
      );
      sessions = items.map((u) => u.whatsappSessionUpdated.session);
      updates.dispose();
    } finally {
      await ws.dispose();
    }
    expect(n8n.errors).toEqual([]);

    // The real changes still come, in order: the code while WAHA waits, then FAILED with its reason.
    const withCode = sessions.findIndex((s) => s.status === 'SCAN_QR_CODE' && s.pairingCode !== null);
    const failed = sessions.findIndex((s) => s.status === 'FAILED');
    expect(withCode).toBeGreaterThanOrEqual(0);
    expect(failed).toBeGreaterThan(withCode);
    expect(sessions[failed]!.lastError?.message).toMatch(/pairing code/);
    expect(sessions.every((s) => s.qr === null)).toBe(true);

    // Each event after the first snapshot shows something the one before it did not.
    const events = sessions.slice(1).map(shown);
    const repeats = events.filter((event, i) => i > 0 && event === events[i - 1]);
    expect(repeats).toEqual([]);
  });
});
