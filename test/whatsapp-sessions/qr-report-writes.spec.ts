import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { Topic } from '../../src/realtime/topics.js';
import { type SessionUpdatedPayload } from '../../src/whatsapp-sessions/session-payload.js';
import { eventually } from '../support/eventually.js';
import { internalGql } from '../support/internal-api.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { CREATE_ENDPOINT } from '../tenant-webhooks/webhook-fragments.js';

const REPORT_QR = `mutation($input: ReportQrInput!) { reportQr(input: $input) { id status qrValue } }`;

/**
 * n8n's QR reports are written against the row version they read, without holding the row's
 * lock (LinkCodeWrites). What that must not change: a retry writes nothing, a status change
 * commits with its webhook delivery, and a report that meets another writer's change is judged
 * on the row as that writer left it, and publishes that row, never the one it read before.
 */
describe('QR reports and the session row', () => {
  let t: TestApp;
  let token: string;
  let tenantId: string;

  beforeAll(async () => {
    t = await startTestApp({ TENANT_WEBHOOKS_ALLOWED_PRIVATE_TARGETS: '' });
    token = await t.token('qr-writes');
    const viewer = await t.gql<{ viewer: { tenant: { id: string } } }>(
      '{ viewer { tenant { id } } }',
      {},
      { token },
    );
    tenantId = parseGlobalId(viewer.data!.viewer.tenant.id)!.key;
  });
  afterAll(() => t.close());

  async function newSession(displayName: string): Promise<string> {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      'mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }',
      { input: { displayName } },
      { token },
    );
    return created.data!.createWhatsappSession.id;
  }

  const reportQr = (sessionId: string, value: string) =>
    internalGql<{ reportQr: { id: string; status: string; qrValue: string | null } }>(t, REPORT_QR, {
      input: { sessionId, value },
    });

  async function row(id: string) {
    const [found] = await sql<{ status: string; qr_value: string | null; version: string }>(
      t,
      'select status, qr_value, xmin::text as version from whatsapp_sessions where id = ?',
      [id],
    );
    return found!;
  }

  /** The session's live updates while `work` runs, in the order they were published. */
  async function updatesDuring(
    sessionId: string,
    work: () => Promise<void>,
  ): Promise<SessionUpdatedPayload[]> {
    const updates: SessionUpdatedPayload[] = [];
    const stream = t.app.get(RealtimeService).subscribe(Topic.SESSION_UPDATED, tenantId);
    const collecting = (async () => {
      for await (const update of stream) updates.push(update as unknown as SessionUpdatedPayload);
    })();
    await work();
    // Published after the work, on the same channel: the work's updates are all in once it is.
    const marker = await newSession(`after ${sessionId}`);
    await reportQr(marker, 'marker');
    await eventually(() => expect(updates.map((u) => u.session.id)).toContain(marker));
    await stream.return?.();
    await collecting;
    return updates.filter((u) => u.session.id === sessionId);
  }

  it('writes nothing for a retried QR: the row keeps its version and one update is published', async () => {
    const id = await newSession('retried');
    let version = '';
    const updates = await updatesDuring(id, async () => {
      expect((await reportQr(id, 'qr-once')).errors).toBeUndefined();
      version = (await row(id)).version;
      const again = await reportQr(id, 'qr-once');
      expect(again.data!.reportQr).toEqual({ id, status: 'SCAN_QR_CODE', qrValue: 'qr-once' });
    });
    expect((await row(id)).version).toBe(version);
    expect(updates.map((u) => u.session.qr?.value)).toEqual(['qr-once']);
  });

  it("commits the first QR's status change with its session.status_changed delivery; later QRs write none", async () => {
    const created = await t.gql(
      CREATE_ENDPOINT,
      { input: { url: 'https://93.184.215.14/hooks/qr', events: ['SESSION_STATUS_CHANGED'] } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    const id = await newSession('first qr');
    const deliveries = () =>
      sql<{ data: { status: string; previousStatus: string } }>(
        t,
        `select payload->'data' as data from tenant_webhook_deliveries where payload->'data'->>'sessionId' = ?`,
        [id],
      );
    expect((await reportQr(id, 'qr-1')).data!.reportQr.status).toBe('SCAN_QR_CODE');
    expect(await reportQr(id, 'qr-2')).toMatchObject({ data: { reportQr: { qrValue: 'qr-2' } } });
    expect((await deliveries()).map((d) => [d.data.previousStatus, d.data.status])).toEqual([
      ['CREATING', 'SCAN_QR_CODE'],
    ]);
  });

  /**
   * Another writer holds the row (its change not yet committed) while a QR report comes in: the
   * report has read the row as it was, and must not write over that change or publish what it
   * read. `change` is the other writer's SQL; the report waits for its lock, then is judged again.
   */
  async function reportDuring(id: string, value: string, change: string, params: unknown[]) {
    const other = t.app.get(MikroORM).em.fork() as EntityManager;
    await other.begin();
    try {
      await other.execute(change, [...params, id]);
      const report = reportQr(id, value);
      await eventually(async () => {
        const [waiting] = await sql<{ n: number }>(
          t,
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
        );
        expect(waiting!.n).toBeGreaterThan(0);
      });
      await other.commit();
      return await report;
    } catch (error) {
      await other.rollback().catch(() => undefined);
      throw error;
    }
  }

  it('judges a QR on the status another writer committed meanwhile: after WORKING it is ignored', async () => {
    const id = await newSession('linked meanwhile');
    await reportQr(id, 'qr-shown');
    const updates = await updatesDuring(id, async () => {
      const result = await reportDuring(
        id,
        'qr-too-late',
        `update whatsapp_sessions set status = ?, me_id = ?, updated_at = now() where id = ?`,
        ['WORKING', '4915100000042@c.us'],
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.reportQr.status).toBe('WORKING');
    });
    expect(await row(id)).toMatchObject({ status: 'WORKING', qr_value: 'qr-shown' });
    // The other writer (raw SQL here) publishes nothing; the late QR must not either.
    expect(updates).toEqual([]);
  });

  it('publishes the row as committed, with what another writer changed meanwhile', async () => {
    const id = await newSession('renamed meanwhile');
    await reportQr(id, 'qr-a');
    const updates = await updatesDuring(id, async () => {
      const result = await reportDuring(
        id,
        'qr-b',
        `update whatsapp_sessions set display_name = ?, updated_at = now() where id = ?`,
        ['Renamed meanwhile'],
      );
      expect(result.data!.reportQr).toMatchObject({ status: 'SCAN_QR_CODE', qrValue: 'qr-b' });
    });
    expect(updates.map((u) => [u.session.displayName, u.session.qr?.value])).toEqual([
      ['Renamed meanwhile', 'qr-b'],
    ]);
  });

  it('applies QRs reported at once for one session each in turn: each is published, one is kept', async () => {
    const id = await newSession('many at once');
    await reportQr(id, 'qr-0');
    const values = Array.from({ length: 8 }, (_, i) => `qr-at-once-${i}`);
    const updates = await updatesDuring(id, async () => {
      const results = await Promise.all(values.map((value) => reportQr(id, value)));
      expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    });
    const kept = (await row(id)).qr_value;
    expect(values).toContain(kept);
    // Each report replaced the QR before it (none is a retry): each published its own.
    expect(new Set(updates.map((u) => u.session.qr?.value))).toEqual(new Set(values));
  });
});
