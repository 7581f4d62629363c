import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ReconciliationWorker } from '../../src/chats/reconciliation.worker.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { internalGql } from '../support/internal-api.js';
import { type LinkedSession, linkedSession, webhooksSettled } from '../support/linked-session.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { SYNC, UPSERT_CHATS, UPSERT_MESSAGES } from './support/chats-api.js';

/** A day between periodic ones (the most allowed): in these tests only what a test makes due is due. */
const ENV = {
  RECONCILE_INTERVAL_MS: '86400000',
  RECONCILE_MIN_GAP_MS: '60000',
  RECONCILE_CHATS_LIMIT: '7',
  RECONCILE_MESSAGES_LIMIT: '9',
};

interface CommandRow {
  id: string;
  tenant_id: string;
  session_id: string;
  payload: unknown;
}

describe('reconciliation: a chats.sync per WORKING session, periodic and on reconnect', () => {
  let sim: WahaSimulator;
  let t: TestApp;
  let replica: TestApp | undefined;
  let worker: ReconciliationWorker;
  let a1: LinkedSession;
  let a2: LinkedSession;
  let b1: LinkedSession;

  /**
   * A replica on the test's database whose worker the test drives itself: its own loop is
   * stopped before any session exists, so a pass runs only when a test calls reconcileDue().
   */
  async function replicaOf(env: Record<string, string>, db?: TestApp['db']) {
    const app = await startTestApp(env, db);
    const w = app.app.get(ReconciliationWorker);
    await w.beforeApplicationShutdown();
    return { app, worker: w };
  }

  const syncs = (s: LinkedSession) =>
    sql<CommandRow>(
      t,
      `select id, tenant_id, session_id, payload from outbox_commands
        where type = 'chats.sync' and session_id = ? order by id`,
      [s.id],
    );
  /** As if `ms` had passed since the session's last reconciliation, its row and its WORKING began. */
  const age = async (s: LinkedSession, ms: number) => {
    const back = `- make_interval(secs => ${ms / 1000})`;
    await sql(
      t,
      `update session_reconciliations
          set first_due_at = first_due_at ${back}, last_queued_at = last_queued_at ${back},
              created_at = created_at ${back}
        where session_id = ?`,
      [s.id],
    );
    await sql(t, `update whatsapp_sessions set working_since = working_since ${back} where id = ?`, [s.id]);
  };
  /** Past both the interval (and the first one's random point) and the gap: due for a periodic one. */
  const makeDue = (s: LinkedSession) => age(s, 2 * 86_400_000);
  /** The dispatcher's part (off in tests): the session's chats.sync commands left for n8n. */
  const delivered = (s: LinkedSession) =>
    sql(
      t,
      `update outbox_commands set status = 'DELIVERED', delivered_at = now()
        where type = 'chats.sync' and session_id = ? and status = 'PENDING'`,
      [s.id],
    );
  const metric = async (app: TestApp, series: string): Promise<number> => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  const workingSince = async (s: LinkedSession) => {
    const [row] = await sql<{ status: string; working_since: string | null }>(
      t,
      `select status, working_since from whatsapp_sessions where id = ?`,
      [s.id],
    );
    return { status: row!.status, workingSince: row!.working_since ? new Date(row!.working_since) : null };
  };
  /** WAHA's connection drops and comes back (WORKING → STARTING → WORKING): a new working_since. */
  async function reconnect(s: LinkedSession): Promise<void> {
    const before = (await workingSince(s)).workingSince!;
    sim.disconnect(s.id);
    await eventually(async () => {
      const row = await workingSince(s);
      expect(row.status).toBe('WORKING');
      expect(row.workingSince!.getTime()).toBeGreaterThan(before.getTime());
    });
    await webhooksSettled(sim, s.id);
  }

  beforeAll(async () => {
    sim = await startWahaSimulator({ timeScale: 0.01 });
    ({ app: t, worker } = await replicaOf(ENV));
    a1 = await linkedSession(t, sim, 'recon-a', { displayName: 'A one' });
    a2 = await linkedSession(t, sim, 'recon-a', { displayName: 'A two' });
    b1 = await linkedSession(t, sim, 'recon-b', { displayName: 'B one' });
  });
  afterAll(async () => {
    await replica?.close();
    await t?.close();
    await sim?.close();
  });

  it('schedules each session’s first one within an interval, then queues one chats.sync per due session, in its tenant', async () => {
    // First pass: every WORKING session gets its schedule, none is due yet.
    expect(await worker.reconcileDue()).toEqual([]);
    const schedule = await sql<{ session_id: string; tenant_id: string; spread: number }>(
      t,
      `select session_id, tenant_id, extract(epoch from first_due_at - created_at)::float8 as spread
         from session_reconciliations order by session_id`,
    );
    expect(schedule.map((r) => [r.session_id, r.tenant_id]).sort()).toEqual(
      [a1, a2, b1].map((s) => [s.id, s.tenantId]).sort(),
    );
    for (const row of schedule) {
      expect(row.spread).toBeGreaterThanOrEqual(0);
      expect(row.spread).toBeLessThanOrEqual(86_400);
    }

    await makeDue(a1);
    const queued = await worker.reconcileDue();
    expect(queued.map((q) => [q.sessionId, q.tenantId, q.trigger])).toEqual([
      [a1.id, a1.tenantId, 'periodic'],
    ]);
    const [command] = await syncs(a1);
    expect(command).toEqual({
      id: queued[0]!.command.id,
      tenant_id: a1.tenantId,
      session_id: a1.id,
      payload: { chatsLimit: 7, messagesLimit: 9 },
    });
    expect(await syncs(a2)).toEqual([]);
    expect(await syncs(b1)).toEqual([]);
    // Queued: not due again (its sync waits, and the gap and the interval start over).
    expect(await worker.reconcileDue()).toEqual([]);
    await delivered(a1);
    expect(await worker.reconcileDue()).toEqual([]);

    // Another tenant's session: its own command, in its own tenant; tenant A's untouched.
    await makeDue(b1);
    expect((await worker.reconcileDue()).map((q) => q.sessionId)).toEqual([b1.id]);
    expect((await syncs(b1)).map((c) => c.tenant_id)).toEqual([b1.tenantId]);
    expect(await syncs(a1)).toHaveLength(1);
    expect(await syncs(a2)).toEqual([]);
    expect(await metric(t, 'whatsapp_hub_reconciliations_total{trigger="periodic"}')).toBe(2);
    await delivered(b1);
  });

  it('never queues a session twice, with two replicas passing at once', async () => {
    ({ app: replica } = await replicaOf(ENV, t.db));
    const other = replica.app.get(ReconciliationWorker);
    for (let round = 0; round < 3; round++) {
      for (const s of [a1, a2, b1]) await makeDue(s);
      const passes = await Promise.all([
        worker.reconcileDue(),
        other.reconcileDue(),
        worker.reconcileDue(),
        other.reconcileDue(),
      ]);
      const queued = passes.flat().map((q) => q.sessionId);
      expect(queued.sort()).toEqual([a1.id, a2.id, b1.id].sort());
      for (const s of [a1, a2, b1]) await delivered(s);
    }
    const counts = await sql<{ session_id: string; n: number }>(
      t,
      `select session_id, count(*)::int as n from outbox_commands where type = 'chats.sync'
        group by session_id order by session_id`,
    );
    expect(Object.fromEntries(counts.map((r) => [r.session_id, r.n]))).toEqual({
      [a1.id]: 1 + 3,
      [a2.id]: 3,
      [b1.id]: 1 + 3,
    });
  });

  it('reconciles a session that is WORKING again, once, and not within the least gap', async () => {
    // Reconciled 2 minutes ago: neither due by the interval nor reconnected since.
    await age(a2, 120_000);
    expect(await worker.reconcileDue()).toEqual([]);

    await reconnect(a2);
    const before = await syncs(a2);
    const queued = await worker.reconcileDue();
    expect(queued.map((q) => [q.sessionId, q.tenantId, q.trigger])).toEqual([
      [a2.id, a2.tenantId, 'reconnect'],
    ]);
    expect(await syncs(a2)).toHaveLength(before.length + 1);
    expect(await worker.reconcileDue()).toEqual([]);
    await delivered(a2);
    expect(await worker.reconcileDue()).toEqual([]);
    expect(await metric(t, 'whatsapp_hub_reconciliations_total{trigger="reconnect"}')).toBe(1);

    // Again at once: within RECONCILE_MIN_GAP_MS of the last one, so it waits for the gap…
    await reconnect(a2);
    expect(await worker.reconcileDue()).toEqual([]);
    // …and is not forgotten: once the gap has passed, the reconnect is reconciled.
    await age(a2, 61_000);
    expect((await worker.reconcileDue()).map((q) => [q.sessionId, q.trigger])).toEqual([
      [a2.id, 'reconnect'],
    ]);
    await delivered(a2);
    expect(await syncs(b1)).toHaveLength(4);
  });

  it('waits while a chats.sync of the session is still queued (one a dashboard asked for)', async () => {
    const asked = await t.gql<{ syncWhatsappChats: boolean }>(
      SYNC,
      { sessionId: b1.id },
      { token: b1.token },
    );
    expect(asked.data).toEqual({ syncWhatsappChats: true });
    await makeDue(b1);
    expect(await worker.reconcileDue()).toEqual([]);
    await delivered(b1);
    expect((await worker.reconcileDue()).map((q) => q.sessionId)).toEqual([b1.id]);
    await delivered(b1);
  });

  it('leaves sessions that are not WORKING, or deleted, alone', async () => {
    sim.fail(a1.id, 'Simulated failure');
    await eventually(async () => expect((await workingSince(a1)).status).toBe('FAILED'));
    await webhooksSettled(sim, a1.id);
    const deleted = await t.gql(
      `mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }`,
      { id: b1.id },
      { token: b1.token },
    );
    expect(deleted.errors).toBeUndefined();
    const before = { a1: await syncs(a1), b1: await syncs(b1) };
    await makeDue(a1);
    await makeDue(b1);
    expect(await worker.reconcileDue()).toEqual([]);
    expect({ a1: await syncs(a1), b1: await syncs(b1) }).toEqual(before);
    // A session that is WORKING meanwhile is still reconciled.
    await makeDue(a2);
    expect((await worker.reconcileDue()).map((q) => q.sessionId)).toEqual([a2.id]);
    await delivered(a2);
  });

  it('does nothing when RECONCILE_INTERVAL_MS is 0 (the tests’ default)', async () => {
    const off = await startTestApp({}, t.db);
    try {
      await makeDue(a2);
      const rows = await sql(t, `select count(*)::int as n from outbox_commands where type = 'chats.sync'`);
      expect(await off.app.get(ReconciliationWorker).reconcileDue()).toEqual([]);
      expect(
        await sql(t, `select count(*)::int as n from outbox_commands where type = 'chats.sync'`),
      ).toEqual(rows);
    } finally {
      await off.close();
    }
  });

  it('recovers a message WAHA stored without a webhook, once, and counts it', async () => {
    const customer = '4917000000123@c.us';
    sim.inbound(a2.id, { from: customer, body: 'Announced' });
    await webhooksSettled(sim, a2.id);
    const events = sim.webhookDeliveries().filter((d) => d.session === a2.id).length;
    const silent = sim.inbound(a2.id, { from: customer, body: 'Never announced', silent: true });
    expect(sim.webhookDeliveries().filter((d) => d.session === a2.id)).toHaveLength(events);
    const stored = () =>
      sql<{ n: number }>(t, `select count(*)::int as n from messages where session_id = ? and waha_id = ?`, [
        a2.id,
        silent.id,
      ]);
    expect(await stored()).toEqual([{ n: 0 }]);
    const recovered = await metric(t, 'whatsapp_hub_reconciled_messages_total');

    // n8n's chats.sync against the simulator, as the workflow runs it.
    const runSync = async () => {
      const overview = (await (await fetch(`${sim.url}/api/${a2.id}/chats/overview?limit=7`)).json()) as {
        id: string;
      }[];
      const chats = await internalGql(t, UPSERT_CHATS, { input: { sessionId: a2.id, chats: overview } });
      expect(chats.errors).toBeUndefined();
      for (const chat of overview) {
        const list = await (
          await fetch(`${sim.url}/api/${a2.id}/chats/${encodeURIComponent(chat.id)}/messages?limit=9`)
        ).json();
        const messages = await internalGql(t, UPSERT_MESSAGES, {
          input: { sessionId: a2.id, messages: list },
        });
        expect(messages.errors).toBeUndefined();
      }
    };
    await runSync();
    expect(await stored()).toEqual([{ n: 1 }]);
    expect(await metric(t, 'whatsapp_hub_reconciled_messages_total')).toBe(recovered + 1);
    const rows = await sql(t, `select count(*)::int as n from messages where session_id = ?`, [a2.id]);
    await runSync();
    expect(await sql(t, `select count(*)::int as n from messages where session_id = ?`, [a2.id])).toEqual(
      rows,
    );
    expect(await metric(t, 'whatsapp_hub_reconciled_messages_total')).toBe(recovered + 1);
  });

  it('runs by itself on every replica when turned on: a new session’s first one comes within the interval', async () => {
    for (const s of [a1, a2, b1]) await delivered(s);
    await sql(t, `delete from session_reconciliations`);
    const started = await sql<{ n: number }>(
      t,
      `select count(*)::int as n from outbox_commands where type = 'chats.sync' and session_id = ?`,
      [a2.id],
    );
    const live = await startTestApp(
      { ...ENV, RECONCILE_INTERVAL_MS: '2000', RECONCILE_MIN_GAP_MS: '0' },
      t.db,
    );
    try {
      await eventually(async () => {
        const [row] = await sql<{ n: number; trigger: string | null }>(
          t,
          `select (select count(*)::int from outbox_commands where type = 'chats.sync' and session_id = ?) as n,
                  (select last_trigger from session_reconciliations where session_id = ?) as trigger`,
          [a2.id, a2.id],
        );
        expect(row).toEqual({ n: started[0]!.n + 1, trigger: 'periodic' });
      });
      // Only the WORKING session: the failed and the deleted ones are left alone.
      expect(await sql(t, `select session_id from session_reconciliations order by session_id`)).toEqual([
        { session_id: a2.id },
      ]);
    } finally {
      await live.close();
    }
  });
});
