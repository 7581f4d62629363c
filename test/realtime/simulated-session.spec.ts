import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { TEST_REDIS_URL } from '../support/env.js';
import {
  apolloClient,
  graphqlWsClient,
  report,
  SESSION_UPDATED,
  type SessionUpdate,
  subscribeWs,
} from './support.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };

/**
 * A stand-in for the n8n workflows, just enough for the QR loop: it receives WAHA's
 * session.status webhooks and, as the workflows do, fetches each new QR (`?format=raw`) and
 * reports it, and reports every other status, through the internal GraphQL API. One event
 * at a time, in arrival order.
 */
async function startTestN8n(t: TestApp, sim: WahaSimulator) {
  const reportedQrs: string[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const handle = async (body: {
    event: string;
    session: string;
    me?: { id: string; pushName?: string } | null;
    payload: { status: string };
  }) => {
    if (body.event !== 'session.status') return;
    const { status } = body.payload;
    if (status === 'SCAN_QR_CODE') {
      const response = await fetch(`${sim.url}/api/${body.session}/auth/qr?format=raw`);
      // 422: WAHA has moved on (scanned, failed) and says so in its own event.
      if (!response.ok) return;
      const { value } = (await response.json()) as { value: string };
      reportedQrs.push(value);
      await report(t, 'reportQr', { sessionId: body.session, value });
    } else if (status === 'WORKING' || status === 'FAILED') {
      const me = body.me ? { id: body.me.id, pushName: body.me.pushName ?? null } : undefined;
      await report(t, 'reportSessionStatus', { sessionId: body.session, status, ...(me ? { me } : {}) });
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Parameters<typeof handle>[0];
      chain = chain.then(() => handle(body)).catch((error: unknown) => console.error(error));
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    hookUrl: `http://127.0.0.1:${port}/waha`,
    reportedQrs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a simulated WAHA session, live on the dashboard', () => {
  let t: TestApp;
  let sim: WahaSimulator;
  let n8n: Awaited<ReturnType<typeof startTestN8n>>;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: TEST_REDIS_URL });
    // WAHA's clock at 1/20: the first QR lives 3 s, each next one 1 s.
    sim = await startWahaSimulator({ timeScale: 0.05 });
    n8n = await startTestN8n(t, sim);
    token = await t.token('shop');
  });
  afterAll(async () => {
    await n8n?.close();
    await sim?.close();
    await t?.close();
  });

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
      const viaWs = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      const viaApollo = apollo.subscribe<Updated>(SESSION_UPDATED, { id });
      await viaWs.collected.until((items) => items.length >= 1);
      await viaApollo.collected.until((items) => items.length >= 1);

      // What n8n's session.create workflow sends WAHA (its webhook pointed at the test n8n).
      const createdInWaha = await fetch(`${sim.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: id,
          start: true,
          config: { webhooks: [{ url: n8n.hookUrl, events: ['session.status'] }] },
        }),
      });
      expect(createdInWaha.status).toBe(201);

      // Three rotations, then the phone scans.
      await viaWs.collected.until((items) =>
        items.some((u) => u.whatsappSessionUpdated.session.qr?.sequence === 3),
      );
      sim.link(id, { id: '4915112345678@c.us', pushName: 'Shop' });

      for (const stream of [viaWs.collected, viaApollo.collected]) {
        const items = await stream.until((all) =>
          all.some((u) => u.whatsappSessionUpdated.session.status === 'WORKING'),
        );
        const sessions = items.map((u) => u.whatsappSessionUpdated.session);
        const qrs = sessions.filter((s) => s.qr).map((s) => [s.qr!.value, s.qr!.sequence]);
        expect(qrs).toEqual(n8n.reportedQrs.map((value, i) => [value, i + 1]));
        expect(qrs.length).toBeGreaterThanOrEqual(3);
        expect(new Set(qrs.map(([value]) => value)).size).toBe(qrs.length);
        expect(sessions.at(-1)).toMatchObject({
          status: 'WORKING',
          qr: null,
          me: { id: '4915112345678@c.us', pushName: 'Shop' },
        });
      }
      viaWs.dispose();
      viaApollo.dispose();
    } finally {
      await ws.dispose();
      await apollo.close();
    }
  });
});
