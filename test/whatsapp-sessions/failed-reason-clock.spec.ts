import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphqlWsClient, SESSION_UPDATED, type SessionUpdate, subscribeWs } from '../realtime/support.js';
import { type TestApp } from '../support/app.js';
import { CREATE } from './sessions.fragments.js';
import { type N8nStandIn, type StandInStack, startStandInStack } from './support/n8n-stand-in.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };
type Session = SessionUpdate['session'];

/**
 * The reason a session FAILED at the end of WAHA's linking window must be true for the WAHA
 * the service talks to: its window is as long as WAHA_TIME_SCALE makes it (here a simulator ten
 * times faster than WAHA: six QR codes in about 16 s, not 160 s), and a session pairing by
 * phone never showed a QR: its reason speaks of the pairing code.
 */
describe('the FAILED reason at the end of the linking window (WAHA_TIME_SCALE=0.1)', () => {
  let t: TestApp;
  let n8n: N8nStandIn;
  let token: string;
  let stack: StandInStack;
  const ids: Record<'qr' | 'phone', string> = { qr: '', phone: '' };

  beforeAll(async () => {
    stack = await startStandInStack(0.1);
    ({ t, n8n, token } = stack);
    // Both windows run at once; each test then waits for its session to fail.
    const create = async (input: Record<string, unknown>) => {
      const created = await t.gql<{ createWhatsappSession: Session }>(CREATE, { input }, { token });
      expect(created.errors).toBeUndefined();
      return created.data!.createWhatsappSession.id;
    };
    [ids.qr, ids.phone] = await Promise.all([
      create({ displayName: 'Nobody scans (fast WAHA)' }),
      create({
        displayName: 'Nobody types (fast WAHA)',
        authMethod: 'PHONE_CODE',
        phoneNumber: '+49 151 2345678',
      }),
    ]);
  });
  afterAll(() => stack?.close());

  /** The session as the update that first says FAILED shows it. */
  async function failed(id: string): Promise<Session> {
    const ws = graphqlWsClient(t, token);
    try {
      const updates = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      const items = await updates.collected.until((all) =>
        all.some((u) => u.whatsappSessionUpdated.session.status === 'FAILED'),
      );
      updates.dispose();
      return items.find((u) => u.whatsappSessionUpdated.session.status === 'FAILED')!.whatsappSessionUpdated
        .session;
    } finally {
      await ws.dispose();
    }
  }

  it('of a QR session names its six QR codes and the window on WAHA’s clock', async () => {
    const session = await failed(ids.qr);
    expect(session.lastError?.message).toMatch(/QR window ended without a scan \(6 QR codes, about 16 s\)/);
    expect(session.lastError?.message).not.toMatch(/160 s/);
    expect(n8n.errors).toEqual([]);
  });

  it('of a pairing-code session speaks of the code’s window, not of QR codes', async () => {
    const session = await failed(ids.phone);
    expect(session.authMethod).toBe('PHONE_CODE');
    expect(session.lastError?.message).toMatch(/pairing code/);
    expect(session.lastError?.message).toMatch(/about 16 s/);
    expect(session.lastError?.message).not.toMatch(/QR/);
    expect(n8n.errors).toEqual([]);
  });
});
