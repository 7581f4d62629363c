import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import {
  graphqlWsClient,
  report,
  SESSION_UPDATED,
  type SessionUpdate,
  subscribeWs,
} from '../realtime/support.js';
import { type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { webhooksSettled } from '../support/linked-session.js';
import { CREATE, GET } from './sessions.fragments.js';
import { type N8nStandIn, type StandInStack, startStandInStack } from './support/n8n-stand-in.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };
type Session = SessionUpdate['session'];

const SCALE = '0.1';

/**
 * The expiry the dashboard shows for a QR (or pairing code) is the moment WAHA replaces it
 * (or ends the window), on WAHA's clock: the service and the WAHA it talks to agree on that
 * clock, here a simulator ten times faster than WAHA (WAHA_SIM_TIME_SCALE / WAHA_TIME_SCALE).
 * Asserted as relations between the two, never against the wall clock.
 */
describe('QR and pairing-code expiry on WAHA clock (time scale 0.1)', () => {
  let t: TestApp;
  let sim: WahaSimulator;
  let n8n: N8nStandIn;
  let token: string;

  let stack: StandInStack;
  beforeAll(async () => {
    stack = await startStandInStack(Number(SCALE));
    ({ t, sim, n8n, token } = stack);
  });
  afterAll(() => stack?.close());

  async function create(input: Record<string, unknown>): Promise<string> {
    const created = await t.gql<{ createWhatsappSession: Session }>(CREATE, { input }, { token });
    expect(created.errors).toBeUndefined();
    return created.data!.createWhatsappSession.id;
  }

  it('gives each QR the expiry at which WAHA rotates it: in order, never earlier than the one before', async () => {
    const id = await create({ displayName: 'Rotating' });
    const ws = graphqlWsClient(t, token);
    let sessions: Session[];
    try {
      const updates = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      // The first QR (6 s) and three rotations (2 s each), then the phone scans.
      await updates.collected.until((all) =>
        all.some((u) => (u.whatsappSessionUpdated.session.qr?.sequence ?? 0) >= 4),
      );
      sim.link(id, { id: '4915100000001@c.us', pushName: 'Shop' });
      const items = await updates.collected.until((all) =>
        all.some((u) => u.whatsappSessionUpdated.session.status === 'WORKING'),
      );
      sessions = items.map((u) => u.whatsappSessionUpdated.session);
      updates.dispose();
    } finally {
      await ws.dispose();
    }
    expect(n8n.errors).toEqual([]);

    // Each QR as the dashboard last saw it, in the order they were shown.
    const shown = new Map<string, { sequence: number | null; expiresAt: number }>();
    for (const s of sessions) {
      if (s.qr) shown.set(s.qr.value, { sequence: s.qr.sequence, expiresAt: Date.parse(s.qr.expiresAt!) });
    }
    const qrs = [...shown.entries()];
    expect(qrs.length).toBeGreaterThanOrEqual(2);
    const expiries = qrs.map(([, qr]) => qr.expiresAt);
    expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
    expect(new Set(expiries).size).toBe(expiries.length);
    // In order; a QR that WAHA rotated before n8n fetched it (a busy machine) is simply not shown.
    const sequences = qrs.map(([, qr]) => qr.sequence!);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));

    // What WAHA showed when n8n fetched each QR: its number, and when WAHA replaces it.
    const inWaha = new Map(n8n.qrs.get(id)!.map((qr) => [qr.value, qr]));
    for (const [value, qr] of qrs) {
      const sim = inWaha.get(value);
      expect(sim).toBeDefined();
      // A report that reached the service after WAHA replaced the QR can only be numbered by
      // inference (it shows in order, checked above); every timely one must match WAHA exactly.
      if (sim!.reportedLate) continue;
      expect({ sequence: qr.sequence, expiresAt: qr.expiresAt }).toEqual({
        sequence: sim!.index,
        expiresAt: sim!.expiresAt,
      });
    }
    // Consecutive QRs: one expires the moment the next is issued.
    for (let i = 1; i < qrs.length; i++) {
      if (sequences[i] !== sequences[i - 1]! + 1) continue;
      expect(inWaha.get(qrs[i]![0])!.issuedAt).toBe(qrs[i - 1]![1].expiresAt);
    }
  });

  it('gives a pairing code the end of WAHA’s QR window as its expiry', async () => {
    const id = await create({
      displayName: 'By phone',
      authMethod: 'PHONE_CODE',
      phoneNumber: '+49 151 2345678',
    });
    const read = async () =>
      (await t.gql<{ whatsappSession: Session }>(GET, { id }, { token })).data!.whatsappSession;
    await eventually(async () => expect((await read()).pairingCode).not.toBeNull());
    // Past WAHA's first rotation, with every event of the window so far landed.
    await eventually(() => expect(sim.session(id)?.qr?.index ?? 0).toBeGreaterThanOrEqual(2));
    await webhooksSettled(sim, id);
    const code = (await read()).pairingCode!;
    const [inWaha] = n8n.codes.get(id)!;
    expect(code.code).toBe(inWaha!.code);
    expect(Date.parse(code.expiresAt!)).toBe(inWaha!.expiresAt);
    expect(n8n.errors).toEqual([]);
  });

  it('ignores a QR numbered behind the one shown: fetched before WAHA rotated it, reported after', async () => {
    const id = await create({ displayName: 'Late report' });
    // The second QR.
    await eventually(async () => {
      const read = await t.gql<{ whatsappSession: Session }>(GET, { id }, { token });
      expect(read.data!.whatsappSession.qr?.sequence ?? 0).toBeGreaterThanOrEqual(2);
    });
    const before = (await t.gql<{ whatsappSession: Session }>(GET, { id }, { token })).data!.whatsappSession;
    // A late report of the first QR (a fetch that WAHA's rotation overtook), numbered 1.
    await report(t, 'reportQr', { sessionId: id, value: 'fetched-before-the-rotation', sequence: 1 });
    const after = (await t.gql<{ whatsappSession: Session }>(GET, { id }, { token })).data!.whatsappSession;
    expect(after.qr?.value).not.toBe('fetched-before-the-rotation');
    expect(after.qr!.sequence).toBeGreaterThanOrEqual(before.qr!.sequence!);
    sim.link(id);
  });
});
