/**
 * A backlog in the outbox: what n8n's downtime leaves behind. The dispatcher may deliver only
 * each session's oldest pending command; finding those must cost one index probe per session,
 * not a walk of every session's queue per command: that walk made one claim take 3.5 s with
 * 22k commands waiting, so delivery fell to ~20 commands/s and a backlog never drained.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pendingHeadsCte } from '../../src/outbox/outbox-heads.js';
import { OutboxDispatcher } from '../../src/outbox/outbox.dispatcher.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { type FakeN8n, startFakeN8n } from '../support/fake-n8n.js';

const SESSIONS = ['ws_backlog_a', 'ws_backlog_b', 'ws_backlog_c'];

/**
 * `perSession` PENDING commands for each session, written in round-robin order (ids sort as
 * written), after one DELIVERED and one DEAD command of each, plus `unowned` commands of no session.
 */
async function backlog(t: TestApp, perSession: number, unowned: number): Promise<void> {
  await t.token('backlog');
  const [tenant] = await sql<{ id: string }>(t, `select id from tenants where slug = 'backlog'`);
  await sql(
    t,
    `insert into outbox_commands (id, tenant_id, type, session_id, payload, status, attempts, next_attempt_at, created_at)
     select '01BACKLOG' || lpad(n::text, 17, '0'), ?, 'message.received',
            case when n > ? then null else (?::text[])[1 + n % ?] end,
            jsonb_build_object('n', n),
            case when n <= ? then 'DELIVERED' when n <= ? then 'DEAD' else 'PENDING' end,
            0, now(), now()
       from generate_series(1, ?) n`,
    [
      tenant!.id,
      SESSIONS.length * (perSession + 2),
      `{${SESSIONS.join(',')}}`,
      SESSIONS.length,
      SESSIONS.length,
      2 * SESSIONS.length,
      SESSIONS.length * (perSession + 2) + unowned,
    ],
  );
  await sql(t, 'analyze outbox_commands');
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan read from outbox_commands, over all its scans and loops. */
function rowsRead(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'outbox_commands'
      ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

describe('an outbox backlog', () => {
  describe('the commands the dispatcher may consider', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ OUTBOX_DISPATCH: 'false' });
      await backlog(t, 300, 2);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('are each session’s oldest pending command and the commands of no session, nothing else', async () => {
      const candidates = await sql<{ id: string }>(
        t,
        `with recursive ${pendingHeadsCte(20)} select id from candidates order by id`,
      );
      const [firstPending] = await sql<{ id: string }>(
        t,
        `select min(id) as id from outbox_commands where status = 'PENDING'`,
      );
      // The first three pending ids are the three sessions' heads (round robin), then the two unowned.
      const pending = await sql<{ id: string; session_id: string | null }>(
        t,
        `select id, session_id from outbox_commands where status = 'PENDING' order by id`,
      );
      const heads = SESSIONS.map((s) => pending.find((row) => row.session_id === s)!.id);
      const unowned = pending.filter((row) => row.session_id === null).map((row) => row.id);
      expect(unowned).toHaveLength(2);
      expect(candidates.map((row) => row.id)).toEqual([...heads, ...unowned].sort());
      expect(heads).toContain(firstPending!.id);
    });

    it('are found reading a few rows per session, not the sessions’ queues', async () => {
      const [plan] = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        t,
        `explain (analyze, format json) with recursive ${pendingHeadsCte(20)} select id from candidates`,
      );
      const read = rowsRead(plan!['QUERY PLAN'][0].Plan);
      // 900 commands wait; walking the queues would read them all, at least once each.
      expect(read).toBeGreaterThanOrEqual(SESSIONS.length + 2);
      expect(read).toBeLessThan(50);
    });
  });

  describe('drained', () => {
    let t: TestApp;
    let n8n: FakeN8n;
    beforeAll(async () => {
      n8n = await startFakeN8n();
      t = await startTestApp({
        N8N_BASE_URL: n8n.url,
        N8N_WEBHOOK_SECRET: 'secret-that-n8n-checks',
        OUTBOX_DISPATCH: 'true',
        OUTBOX_POLL_INTERVAL_MS: '25',
      });
      await backlog(t, 60, 0);
    });
    afterAll(async () => {
      await t?.close();
      await n8n?.close();
    });

    it('reaches n8n whole: every pending command once, each session’s in the order written', async () => {
      t.app.get(OutboxDispatcher).wake();
      const received = await n8n.waitFor((r) => r.length >= SESSIONS.length * 60);
      const ids = received.map((r) => r.body.commandId);
      expect(new Set(ids).size).toBe(ids.length);
      const pending = await sql<{ id: string }>(
        t,
        `select id from outbox_commands where (payload->>'n')::int > ? order by id`,
        [2 * SESSIONS.length],
      );
      expect([...ids].sort()).toEqual(pending.map((row) => row.id));
      for (const session of SESSIONS) {
        const mine = received.filter((r) => r.body.sessionId === session).map((r) => r.body.commandId);
        expect(mine).toHaveLength(60);
        expect(mine).toEqual([...mine].sort());
      }
      // The ones delivered or given up on before the backlog stay as they were.
      const untouched = await sql<{ n: number }>(
        t,
        `select count(*)::int as n from outbox_commands where status in ('DELIVERED', 'DEAD') and attempts = 0`,
      );
      expect(untouched[0]!.n).toBe(2 * SESSIONS.length);
    });
  });
});
