import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { sql, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { webhooksSettled } from '../support/linked-session.js';
import { CREATE, GET } from './sessions.fragments.js';
import { type N8nStandIn, type StandInStack, startStandInStack } from './support/n8n-stand-in.js';

interface Session {
  id: string;
  status: string;
  me: { wahaId: string; pushName: string | null } | null;
  qr: { value: string } | null;
}

/** The account as WAHA reports it, and as the API shows it (WAHA's id as wahaId). */
const PHONE = { id: '4915100000042@c.us', pushName: 'Shop phone' };
const ACCOUNT = { wahaId: PHONE.id, pushName: PHONE.pushName };

/**
 * `me` is the WhatsApp account the session is linked to. After logoutWhatsappSession WAHA has
 * forgotten it (and shows QRs again when the session runs), so the API must stop naming it.
 * A stop alone keeps it: WAHA keeps the link and a restart is WORKING again without a scan.
 */
describe('logoutWhatsappSession', () => {
  let t: TestApp;
  let sim: WahaSimulator;
  let n8n: N8nStandIn;
  let token: string;

  let stack: StandInStack;
  beforeAll(async () => {
    stack = await startStandInStack(0.05);
    ({ t, sim, n8n, token } = stack);
  });
  afterAll(() => stack?.close());

  const read = async (id: string) =>
    (await t.gql<{ whatsappSession: Session }>(GET, { id }, { token })).data!.whatsappSession;
  const rowStatus = async (id: string) =>
    (await sql<{ status: string }>(t, `select status from whatsapp_sessions where id = ?`, [id]))[0]!.status;
  const act = async (mutation: string, id: string) => {
    const result = await t.gql(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id }, { token });
    expect(result.errors).toBeUndefined();
    // Every command of the session has been run by n8n and written back.
    await eventually(async () => {
      const ids = await sql<{ id: string }>(
        t,
        `select id from outbox_commands where session_id = ? and type = ?`,
        [id, `session.${mutation.replace(/WhatsappSession$/, '')}`],
      );
      expect(ids).not.toEqual([]);
      expect(ids.filter((c) => !n8n.done.has(c.id))).toEqual([]);
    });
  };

  async function linked(displayName: string): Promise<string> {
    const created = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName } },
      { token },
    );
    const { id } = created.data!.createWhatsappSession;
    // n8n creates it in WAHA once the outbox delivered the command.
    await eventually(() => expect(sim.session(id)).toBeDefined());
    await sim.waitForStatus(id, 'SCAN_QR_CODE');
    sim.link(id, PHONE);
    await eventually(async () => expect(await rowStatus(id)).toBe('WORKING'));
    await webhooksSettled(sim, id);
    expect((await read(id)).me).toEqual(ACCOUNT);
    return id;
  }

  it('of a running session: back to SCAN_QR_CODE, and the old account is gone', async () => {
    const id = await linked('Running line');
    await act('logoutWhatsappSession', id);
    await sim.waitForStatus(id, 'SCAN_QR_CODE');
    await eventually(async () => expect(await rowStatus(id)).toBe('SCAN_QR_CODE'));
    await webhooksSettled(sim, id);
    const after = await read(id);
    // Linking again, or past the new QR window: WAHA fails the session after its six QRs (8 s at
    // this time scale), which a loaded machine can outlast before this read. Either way the old
    // account is gone.
    expect(after.me).toBeNull();
    expect(['SCAN_QR_CODE', 'FAILED']).toContain(after.status);
    expect(n8n.errors).toEqual([]);
  });

  it('of a stopped session: it stays STOPPED, without the account', async () => {
    const id = await linked('Stopped line');
    await act('stopWhatsappSession', id);
    await webhooksSettled(sim, id);
    // Stopping keeps the link (WAHA keeps it too).
    expect(await read(id)).toMatchObject({ status: 'STOPPED', me: ACCOUNT });

    await act('logoutWhatsappSession', id);
    await webhooksSettled(sim, id);
    expect(sim.session(id)).toMatchObject({ status: 'STOPPED', me: null });
    expect(await read(id)).toMatchObject({ status: 'STOPPED', me: null });
    expect(n8n.errors).toEqual([]);
  });
});
