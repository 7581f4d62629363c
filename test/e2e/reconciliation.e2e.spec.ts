/**
 * Issue 13's reconciliation in a real n8n, between the real service and the WAHA simulator: WAHA
 * stores a message and never announces it by a webhook (WAHA #2250, the simulator's `silent`
 * inbound); the service's ReconciliationWorker queues chats.sync on its own (RECONCILE_INTERVAL_MS),
 * n8n's chats-sync workflow reads WAHA's chats and messages and writes them back, and the message
 * appears, once, counted in whatsapp_hub_reconciled_messages_total. A later reconciliation adds
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { eventually } from '../support/eventually.js';
import { n8nExecutions } from './support/n8n-executions.js';
import { CREATE, type Message, MESSAGES, SESSION } from './support/outbound-api.js';
import { startStack, type Stack } from './support/stack.js';

/** n8n's runs take seconds each, and minutes on a busy machine; polled gently, as a dashboard would. */
const POLL = { timeoutMs: 180_000, intervalMs: 250 };
const ME = '4915100000066@c.us';
const CUSTOMER = '4917000000031@c.us';
const CHATS_SYNC_WORKFLOW = 'whHubChatsSync';

describe('reconciliation through the real n8n: what no webhook announced is recovered, once', () => {
  let stack: Stack;
  let token: string;
  let sessionId: string;

  const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const result = await stack.gql<T>(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const messagesOf = async (chatId: string): Promise<Message[]> =>
    (
      await gql<{ messages: { edges: { node: Message }[] } }>(MESSAGES, { s: sessionId, c: chatId })
    ).messages.edges.map((e) => e.node);
  /** A series of the service's /metrics (0 while it has no sample). */
  const metric = async (series: string): Promise<number> => {
    const text = await (await fetch(`${stack.app.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };
  /** The chats.sync commands the service queued for the session, oldest first. */
  const syncCommands = () =>
    stack.sql<{ id: string; created_at: Date }>(
      `select id, created_at from outbox_commands where type = 'chats.sync' and session_id = ? order by id`,
      [sessionId],
    );
  /** True once n8n's chats-sync run of `commandId` has ended well (its write-backs done). */
  const syncFinished = (commandId: string) =>
    n8nExecutions(stack.n8n.userFolder, CHATS_SYNC_WORKFLOW, commandId).some(
      (run) => run.status === 'success' && run.stoppedAt !== null,
    );

  beforeAll(async () => {
    stack = await startStack({
      timeScale: 0.1,
      // Every 6 s (each session's first at a random point of that), and no least gap: enough
      // reconciliations within the test to see a second one add nothing.
      serviceEnv: { RECONCILE_INTERVAL_MS: '6000', RECONCILE_MIN_GAP_MS: '0' },
    });
    token = await stack.token('reconciliation-e2e');
    sessionId = (
      await gql<{ createWhatsappSession: { id: string } }>(CREATE, { input: { displayName: 'Reconciled' } })
    ).createWhatsappSession.id;
    await eventually(() => expect(stack.sim.session(sessionId)?.status).toBe('SCAN_QR_CODE'), POLL);
    stack.sim.link(sessionId, { id: ME, pushName: 'Shop' });
    await eventually(async () => {
      const { whatsappSession } = await gql<{ whatsappSession: { status: string } }>(SESSION, {
        id: sessionId,
      });
      expect(whatsappSession.status).toBe('WORKING');
    }, POLL);
  }, 5 * 60_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it('stores a message WAHA never announced, exactly once, and counts it; the next reconciliation adds nothing', async () => {
    const announced = stack.sim.inbound(sessionId, { from: CUSTOMER, body: 'Do you ship to Berlin?' });
    await eventually(
      async () => expect((await messagesOf(CUSTOMER)).map((m) => m.wahaId)).toContain(announced.id),
      POLL,
    );
    // From here on, only a message no webhook carries is news to a reconciliation.
    const recoveredBefore = await metric('whatsapp_hub_reconciled_messages_total');
    const webhooks = stack.sim.webhookDeliveries().filter((d) => d.session === sessionId).length;

    const missed = stack.sim.inbound(sessionId, { from: CUSTOMER, body: 'Hello? Anyone?', silent: true });
    expect(stack.sim.webhookDeliveries().filter((d) => d.session === sessionId)).toHaveLength(webhooks);

    await eventually(async () => {
      const list = await messagesOf(CUSTOMER);
      expect(list.filter((m) => m.wahaId === missed.id)).toEqual([
        expect.objectContaining({ body: 'Hello? Anyone?', fromMe: false }),
      ]);
    }, POLL);
    expect(await metric('whatsapp_hub_reconciled_messages_total')).toBe(recoveredBefore + 1);
    expect(await metric('whatsapp_hub_reconciliations_total{trigger="periodic"}')).toBeGreaterThanOrEqual(1);
    const rows = await stack.sql<{ n: number }>(
      `select count(*)::int as n from messages where session_id = ?`,
      [sessionId],
    );

    // A reconciliation queued after the message was there, run by n8n to its end.
    const recoveredAt = Date.now();
    await eventually(async () => {
      const commands = (await syncCommands()).filter((c) => new Date(c.created_at).getTime() > recoveredAt);
      const finished = commands.find((c) => syncFinished(c.id));
      expect(finished).toBeDefined();
    }, POLL);
    expect((await messagesOf(CUSTOMER)).filter((m) => m.wahaId === missed.id)).toHaveLength(1);
    expect(
      await stack.sql<{ n: number }>(`select count(*)::int as n from messages where session_id = ?`, [
        sessionId,
      ]),
    ).toEqual(rows);
    expect(await metric('whatsapp_hub_reconciled_messages_total')).toBe(recoveredBefore + 1);
  });

  it('reconciles a session that is WORKING again after its connection dropped, through n8n', async () => {
    const reconnects = await metric('whatsapp_hub_reconciliations_total{trigger="reconnect"}');
    const workingSince = async () => {
      const [row] = await stack.sql<{ status: string; working_since: string | null }>(
        `select status, working_since from whatsapp_sessions where id = ?`,
        [sessionId],
      );
      return { status: row!.status, since: row!.working_since ? new Date(row!.working_since).getTime() : 0 };
    };
    const before = await workingSince();
    stack.sim.disconnect(sessionId);
    const back = await eventually(async () => {
      const now = await workingSince();
      expect(now.status).toBe('WORKING');
      expect(now.since).toBeGreaterThan(before.since);
      return now;
    }, POLL);
    await eventually(async () => {
      expect(await metric('whatsapp_hub_reconciliations_total{trigger="reconnect"}')).toBe(reconnects + 1);
    }, POLL);
    // The first chats.sync queued after the session was WORKING again is the reconnect's: it runs
    // through n8n like any other.
    const [first] = (await syncCommands()).filter((c) => new Date(c.created_at).getTime() >= back.since);
    expect(first).toBeDefined();
    await eventually(() => expect(syncFinished(first!.id)).toBe(true), POLL);
  });
});
