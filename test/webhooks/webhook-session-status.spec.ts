import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { sql, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import {
  deliver,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';

describe('POST /webhooks/waha: session statuses', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let sim: WahaSimulator;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'hooks-co' });
    ({ t, sim } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('fetches a new QR for every SCAN_QR_CODE (each rotation), once per event however often it is delivered', async () => {
    const token = await t.token('qr-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "QR line" }) { id } }`,
      {},
      { token },
    );
    const id = created.data!.createWhatsappSession.id;
    const [command] = await sql<{ payload: { wahaRequest: { config: { webhooks: { url: string }[] } } } }>(
      t,
      `select payload from outbox_commands where session_id = ? and type = 'session.create'`,
      [id],
    );
    const request = command!.payload.wahaRequest;
    request.config.webhooks = request.config.webhooks.map((hook) => ({
      ...hook,
      url: `${t.url}/webhooks/waha`,
    }));
    sim.duplicateNextWebhooks(10);
    await fetch(`${sim.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const rotations = () =>
      sim.webhookDeliveries().filter((d) => d.session === id && d.event === 'session.status' && !d.duplicate)
        .length;
    // STARTING, then the first QR and one rotation: three distinct status events.
    await eventually(() => expect(rotations()).toBeGreaterThanOrEqual(3));
    sim.link(id, { id: '4915100000999@c.us', pushName: 'QR shop' });
    await webhooksSettled(sim, id);
    const scans = sim
      .webhookDeliveries()
      .filter((d) => d.session === id && d.event === 'session.status' && !d.duplicate)
      .map((d) => d.eventId);
    const [{ fetches, events }] = (await sql<{ fetches: number; events: number }>(
      t,
      `select (select count(*) from outbox_commands where session_id = ? and type = 'session.fetchQr')::int as fetches,
        (select count(*) from webhook_events where session_id = ?)::int as events`,
      [id, id],
    )) as [{ fetches: number; events: number }];
    const scanEvents = sim.session(id)!.statuses.filter((s) => s.status === 'SCAN_QR_CODE').length;
    // One fetch per SCAN_QR_CODE event, none for a copy; a late one that a newer status already
    // superseded fetches nothing (the next test pins each case down).
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(scanEvents);
    expect(events).toBe(scans.length);
    const read = await t.gql<{
      whatsappSession: { status: string; me: { wahaId: string; pushName: string } };
    }>(`query($id: ID!) { whatsappSession(id: $id) { status me { wahaId pushName } } }`, { id }, { token });
    expect(read.data!.whatsappSession).toEqual({
      status: 'WORKING',
      me: { wahaId: '4915100000999@c.us', pushName: 'QR shop' },
    });
  });

  it('applies session statuses in WAHA’s order, not in delivery order: a late, older status changes nothing', async () => {
    const token = await t.token('order-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Order line" }) { id } }`,
      {},
      { token },
    );
    const target = {
      id: created.data!.createWhatsappSession.id,
      tenantId: '',
      me: '4915100000555@c.us',
      token,
    };
    const status = (value: string, timestamp: number, id?: string) =>
      deliver(
        t,
        target,
        'session.status',
        { name: target.id, status: value, statuses: [] },
        { timestamp, ...(id ? { id } : {}) },
      );
    const state = async () => {
      const [row] = await sql<{ status: string; me_id: string | null; fetches: number }>(
        t,
        `select status, me_id, (select count(*) from outbox_commands where session_id = s.id and type = 'session.fetchQr')::int as fetches
        from whatsapp_sessions s where id = ?`,
        [target.id],
      );
      return row;
    };
    const t0 = Date.now();
    expect((await status('SCAN_QR_CODE', t0 + 10)).body).toMatchObject({ status: 'stored' });
    expect(await state()).toEqual({ status: 'SCAN_QR_CODE', me_id: null, fetches: 1 });
    // The rotation: a new QR, delivered 5 times at once, fetched once.
    const rotation = `evt_${ulid().toLowerCase()}`;
    const copies = await Promise.all(
      Array.from({ length: 5 }, () => status('SCAN_QR_CODE', t0 + 20, rotation)),
    );
    expect(copies.map((c) => c.body['status']).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'stored',
    ]);
    expect(await state()).toEqual({ status: 'SCAN_QR_CODE', me_id: null, fetches: 2 });
    // STARTING from before the QRs, delivered late: stored (a retry is a duplicate), not applied.
    expect((await status('STARTING', t0)).body).toMatchObject({
      status: 'stored',
      reason: 'a newer status was already applied',
    });
    expect(await state()).toEqual({ status: 'SCAN_QR_CODE', me_id: null, fetches: 2 });
    const working = await deliver(
      t,
      target,
      'session.status',
      { name: target.id, status: 'WORKING', statuses: [] },
      { timestamp: t0 + 30 },
    );
    expect(working.body).toMatchObject({ status: 'stored' });
    expect(await state()).toEqual({ status: 'WORKING', me_id: target.me, fetches: 2 });
    // A QR rotation that WAHA sent before the phone linked, arriving after: no status change, no fetch.
    expect((await status('SCAN_QR_CODE', t0 + 25)).body).toMatchObject({
      status: 'stored',
      reason: 'a newer status was already applied',
    });
    expect(await state()).toEqual({ status: 'WORKING', me_id: target.me, fetches: 2 });
  });

  it('applies two statuses WAHA stamped in the same millisecond in the order they arrive, whatever their ids', async () => {
    const token = await t.token('tie-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Tie line" }) { id } }`,
      {},
      { token },
    );
    const target = {
      id: created.data!.createWhatsappSession.id,
      tenantId: '',
      me: '4915100000556@c.us',
      token,
    };
    const at = Date.now();
    // The later status has the SMALLER id: a tie broken by id would call WORKING stale and
    // leave the session showing a QR for a phone that is already linked.
    const qr = await deliver(
      t,
      target,
      'session.status',
      { name: target.id, status: 'SCAN_QR_CODE', statuses: [] },
      { timestamp: at, id: 'evt_zzzzzzzzzzzzzzzzzzzzzzzzzz' },
    );
    expect(qr.body).toMatchObject({ status: 'stored' });
    expect(qr.body['reason']).toBeUndefined();
    const working = await deliver(
      t,
      target,
      'session.status',
      { name: target.id, status: 'WORKING', statuses: [] },
      { timestamp: at, id: 'evt_00000000000000000000000000' },
    );
    expect(working.body).toMatchObject({ status: 'stored' });
    expect(working.body['reason']).toBeUndefined();
    const [row] = await sql<{ status: string; me_id: string | null }>(
      t,
      'select status, me_id from whatsapp_sessions where id = ?',
      [target.id],
    );
    expect(row).toEqual({ status: 'WORKING', me_id: target.me });
  });
});
