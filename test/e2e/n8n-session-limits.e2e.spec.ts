/**
 * Issue 13's session.limits workflow in a real n8n, between the real service and the WAHA
 * simulator (GOWS, the engine with message capping): linking queues it, n8n fetches WAHA's
 * /capping and /timelock and reports them; refreshWhatsappSessionLimits runs it again and picks
 * up what WAHA says now.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { eventually } from '../support/eventually.js';
import { n8nExecutions } from './support/n8n-executions.js';
import { CREATE } from './support/outbound-api.js';
import { startStack, type Stack } from './support/stack.js';

const POLL = { timeoutMs: 180_000, intervalMs: 250 };
const LIMITS = `query($id: ID!) { whatsappSession(id: $id) {
  status lastError { message }
  messageCapping { status warning usedQuota totalQuota cycleEnd }
  reachoutTimelock { active until } } }`;
const REFRESH = `mutation($id: ID!) { refreshWhatsappSessionLimits(id: $id) { id } }`;

interface Limits {
  status: string;
  lastError: { message: string } | null;
  messageCapping: { status: string; usedQuota: number | null; totalQuota: number | null } | null;
  reachoutTimelock: { active: boolean; until: string | null } | null;
}

describe('n8n session.limits workflow (real n8n, WAHA simulator on GOWS)', () => {
  let stack: Stack;
  let token: string;
  let sessionId: string;

  const limits = async (): Promise<Limits> => {
    const result = await stack.gql<{ whatsappSession: Limits }>(LIMITS, { id: sessionId }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.whatsappSession;
  };
  const cappingCalls = () =>
    stack.sim.requests().filter((r) => r.operation === 'GET /api/sessions/{session}/capping').length;

  beforeAll(async () => {
    stack = await startStack({ timeScale: 0.1, engine: 'GOWS' });
    token = await stack.token('n8n-limits-e2e');
    const created = await stack.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName: 'Limits' } },
      token,
    );
    sessionId = created.data!.createWhatsappSession.id;
    await eventually(() => expect(stack.sim.session(sessionId)?.status).toBe('SCAN_QR_CODE'), POLL);
    stack.sim.link(sessionId, { id: '4915100000077@c.us', pushName: 'Shop' });
  }, 5 * 60_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it('fetches the limits once the session is linked: an uncapped GOWS account, no timelock', async () => {
    // The simulator's `me` carries no capping until one is set: only the workflow can report this.
    const shown = await eventually(async () => {
      const now = await limits();
      expect(now.messageCapping).not.toBeNull();
      return now;
    }, POLL);
    expect(shown).toMatchObject({
      status: 'WORKING',
      lastError: null,
      messageCapping: { status: 'NONE', usedQuota: 0, totalQuota: null },
      reachoutTimelock: null,
    });
    expect(cappingCalls()).toBeGreaterThanOrEqual(1);
    // n8n marks the run once its last node is done, a moment after the report landed.
    await eventually(() => {
      const runs = n8nExecutions(stack.n8n.userFolder, 'whHubSessionLimits', sessionId);
      expect(runs.map((run) => run.status)).toContain('success');
    }, POLL);
  });

  it('refreshes on request: what WAHA says now replaces what the service had', async () => {
    const until = Math.floor(Date.now() / 1000) + 3600;
    stack.sim.setTimelock(sessionId, { isActive: true, timeEnforcementEnds: until });
    stack.sim.setCapping(sessionId, { cappingStatus: 'SECOND_WARNING', totalQuota: 20, usedQuota: 19 });
    const before = cappingCalls();
    const refreshed = await stack.gql(REFRESH, { id: sessionId }, token);
    expect(refreshed.errors).toBeUndefined();
    await eventually(() => expect(cappingCalls()).toBeGreaterThan(before), POLL);
    await eventually(async () => {
      expect(await limits()).toMatchObject({
        lastError: null,
        messageCapping: { status: 'SECOND_WARNING', usedQuota: 19, totalQuota: 20 },
        reachoutTimelock: { active: true, until: new Date(until * 1000).toISOString() },
      });
    }, POLL);
  });
});
