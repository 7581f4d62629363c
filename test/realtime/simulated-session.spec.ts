import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { type TestApp } from '../support/app.js';
import { TEST_REDIS_URL } from '../support/env.js';
import {
  type N8nStandIn,
  type StandInStack,
  startStandInStack,
} from '../whatsapp-sessions/support/n8n-stand-in.js';
import {
  apolloClient,
  graphqlWsClient,
  SESSION_UPDATED,
  type SessionUpdate,
  subscribeWs,
} from './support.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };

/**
 * The QR loop as production runs it, live on the dashboard: the create workflow creates and
 * starts the session and stops; each QR, the first included, is WAHA's SCAN_QR_CODE webhook to
 * the service, which queues one session.fetchQr for n8n (here the stand-in), whose reportQr is
 * published.
 */
describe('a simulated WAHA session, live on the dashboard', () => {
  let t: TestApp;
  let sim: WahaSimulator;
  let n8n: N8nStandIn;
  let token: string;

  let stack: StandInStack;
  beforeAll(async () => {
    // WAHA's clock at 1/10: the first QR lives 6 s, each next one 2 s.
    stack = await startStandInStack(0.1, { REDIS_URL: TEST_REDIS_URL });
    ({ t, sim, n8n, token } = stack);
  });
  afterAll(() => stack?.close());

  it('shows every QR in order, then WORKING with the linked account after the scan (graphql-ws and Apollo Client)', async () => {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Simulated" }) { id } }`,
      {},
      { token },
    );
    const id = created.data!.createWhatsappSession.id;
    const ws = graphqlWsClient(t, token);
    const apollo = apolloClient(t, token);
    try {
      // Each subscription starts with the session as it stands, so a QR shown before it went live is seen too.
      const viaWs = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      const viaApollo = apollo.subscribe<Updated>(SESSION_UPDATED, { id });

      // The first QR and two rotations, then the phone scans.
      await viaWs.collected.until((items) =>
        items.some((u) => (u.whatsappSessionUpdated.session.qr?.sequence ?? 0) >= 3),
      );
      sim.link(id, { id: '4915112345678@c.us', pushName: 'Shop' });

      const inWaha = () => new Map((n8n.qrs.get(id) ?? []).map((qr) => [qr.value, qr.index]));
      for (const stream of [viaWs.collected, viaApollo.collected]) {
        const items = await stream.until((all) =>
          all.some((u) => u.whatsappSessionUpdated.session.status === 'WORKING'),
        );
        const sessions = items.map((u) => u.whatsappSessionUpdated.session);
        const shown = new Map<string, number | null>();
        for (const s of sessions) if (s.qr) shown.set(s.qr.value, s.qr.sequence);
        // Each QR WAHA showed, numbered as WAHA numbers it, in order; one that WAHA rotated
        // before n8n fetched it (a busy machine) is simply not shown.
        const qrs = [...shown.entries()];
        expect(qrs).toEqual(qrs.map(([value]) => [value, inWaha().get(value)]));
        const sequences = qrs.map(([, sequence]) => sequence!);
        expect(sequences).toEqual([...new Set(sequences)].sort((a, b) => a - b));
        expect(sequences.at(-1)).toBeGreaterThanOrEqual(3);
        expect(sessions.at(-1)).toMatchObject({
          status: 'WORKING',
          qr: null,
          me: { wahaId: '4915112345678@c.us', pushName: 'Shop' },
        });
      }
      expect(n8n.errors).toEqual([]);
      viaWs.dispose();
      viaApollo.dispose();
    } finally {
      await ws.dispose();
      await apollo.close();
    }
  });
});
