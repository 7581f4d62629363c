/**
 * The committed n8n workflows in a real n8n, between the real service and the WAHA simulator:
 * commands go out through the outbox, the workflows run WAHA's steps over HTTP, and every result
 * (or failure) comes back through the internal GraphQL API. One n8n for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';

import { eventually } from '../support/eventually.js';
import { type Execution, n8nExecutions } from './support/n8n-executions.js';
import { startStack, type Stack } from './support/stack.js';

const SESSION_FIELDS = `
  id status authMethod phoneNumber
  me { wahaId pushName }
  qr { value expiresAt sequence }
  pairingCode { code expiresAt }
  lastError { message at }
`;
const CREATE = `mutation Create($input: CreateWhatsappSessionInput!) {
  createWhatsappSession(input: $input) { ${SESSION_FIELDS} }
}`;
const GET = `query Get($id: ID!) { whatsappSession(id: $id) { ${SESSION_FIELDS} } }`;
const STOP = `mutation Stop($id: ID!) { stopWhatsappSession(id: $id) { id } }`;
const DELETE = `mutation Delete($id: ID!) { deleteWhatsappSession(id: $id) { id status } }`;

interface SessionView {
  id: string;
  status: string;
  authMethod: string;
  phoneNumber: string | null;
  me: { wahaId: string; pushName: string | null } | null;
  qr: { value: string; expiresAt: string; sequence: number } | null;
  pairingCode: { code: string; expiresAt: string } | null;
  lastError: { message: string; at: string } | null;
}

describe('n8n workflows (real n8n, WAHA simulator, real service)', () => {
  let stack: Stack;
  let token: string;

  const create = async (input: Record<string, unknown>): Promise<SessionView> => {
    const result = await stack.gql<{ createWhatsappSession: SessionView }>(CREATE, { input }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.createWhatsappSession;
  };
  const view = async (id: string): Promise<SessionView | null> => {
    const result = await stack.gql<{ whatsappSession: SessionView }>(GET, { id }, token);
    return result.data?.whatsappSession ?? null;
  };
  /**
   * The session as the dashboard reads it, once `check` (which asserts) passes on it. Read every
   * 200 ms, under the public API's rate limit; `timeoutMs` is a cap, never what is tested.
   */
  const sessionOnce = (id: string, check: (s: SessionView) => void, timeoutMs = 120_000) =>
    eventually(
      async () => {
        const session = await view(id);
        expect(session).not.toBeNull();
        check(session!);
        return session!;
      },
      { timeoutMs, intervalMs: 200 },
    );

  const executions = (workflowId: string, sessionId: string): Execution[] =>
    n8nExecutions(stack.n8n.userFolder, workflowId, sessionId);

  /** The one session.create run for `sessionId`, once it ended. */
  const createRunEnded = (sessionId: string): Promise<Execution> =>
    eventually(
      () => {
        const runs = executions('whHubSessionCreate', sessionId);
        expect(runs).toHaveLength(1);
        expect(runs[0]!.stoppedAt).not.toBeNull();
        return runs[0]!;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

  beforeAll(async () => {
    stack = await startStack({ timeScale: 0.1 });
    token = await stack.token('n8n-e2e');
  }, 5 * 60_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  // Shared by the tests below, in order.
  let qrSessionId = '';
  let firstQrRotatesAt = 0;
  let phoneSessionId = '';

  it('serves every command webhook under the prefix path with a slash, and only with the secret', async () => {
    for (const path of ['session-create', 'session-fetch-qr', 'message-received'])
      await stack.n8n.waitForWebhook(`whatsapp-hub/${path}`);
    const refused = await fetch(`${stack.n8n.baseUrl}/webhook/whatsapp-hub/message-received`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-whatsapp-hub-secret': 'wrong' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    const accepted = await stack.postCommand({
      commandId: ulid(),
      type: 'message.received',
      tenantId: 't',
      sessionId: 'ws_x',
      payload: {
        chatId: '4917000000001@c.us',
        messageId: 'false_4917000000001@c.us_ABC',
        from: '4917000000001@c.us',
        body: 'Hi',
        timestamp: new Date().toISOString(),
        hasMedia: false,
      },
    });
    expect(accepted).toBe(202);
  });

  it('creates a session by QR: the first QR with its expiry, fetched by session.fetchQr; the create run reports none', async () => {
    const created = await create({ displayName: 'Shop by QR' });
    qrSessionId = created.id;
    expect(created.status).toBe('CREATING');

    // The QR WAHA shows (read in the same probe: WAHA may rotate it while a busy machine waits).
    let shownInWaha = stack.sim.session(qrSessionId)?.qr;
    const withQr = await sessionOnce(qrSessionId, (s) => {
      shownInWaha = stack.sim.session(qrSessionId)?.qr;
      expect(s.qr).not.toBeNull();
      expect(s.qr!.value).toBe(shownInWaha?.value);
    });
    const qrSeenAt = Date.now();
    const wahaSession = stack.sim.session(qrSessionId)!;
    expect(withQr.status).toBe('SCAN_QR_CODE');
    // With the expiry at which WAHA replaces it: one clock for both.
    if (!shownInWaha) throw new Error('WAHA shows no QR');
    expect(withQr.qr!.value).toBe(shownInWaha.value);
    expect(withQr.qr!.sequence).toBe(shownInWaha.index);
    expect(new Date(withQr.qr!.expiresAt).getTime()).toBe(shownInWaha.expiresAt);
    // The session was created in WAHA as the service asked: started, webhook to the service.
    const createCall = stack.sim.requests().find((r) => r.operation === 'POST /api/sessions')!;
    expect(createCall.requestBody).toMatchObject({ name: qrSessionId, start: true });
    expect(wahaSession.config?.webhooks?.[0]?.url).toBe(`${stack.app.url}/webhooks/waha`);

    // One producer per QR: the create run ends once WAHA shows SCAN_QR_CODE, without a QR of its
    // own (it reaches the node that says so, and no reportQr); it does not watch for rotations.
    const run = await createRunEnded(qrSessionId);
    expect(run.status).toBe('success');
    expect(run.data).toContain('QR comes from session.fetchQr');
    expect(run.data).not.toContain('reportQr');
    expect(run.data).not.toContain(withQr.qr!.value);
    // Before WAHA replaced that QR (60 s of WAHA time, 6 s here): no rotation is the create run's.
    firstQrRotatesAt = shownInWaha.expiresAt;
    expect(run.stoppedAt!).toBeLessThan(firstQrRotatesAt);
    // The first QR came from a session.fetchQr run, queued for WAHA's first SCAN_QR_CODE event:
    // started after WAHA issued it, before the dashboard saw it, and it fetched and reported that QR.
    const firstScanAt = wahaSession.statuses.find((point) => point.status === 'SCAN_QR_CODE')!.timestamp;
    const [firstFetch] = executions('whHubSessionFetchQr', qrSessionId);
    expect(firstFetch).toBeDefined();
    expect(firstFetch!.startedAt).toBeGreaterThanOrEqual(firstScanAt);
    expect(firstFetch!.startedAt).toBeLessThanOrEqual(qrSeenAt);
    expect(firstFetch!.data).toContain(withQr.qr!.value);
    expect(firstFetch!.data).toContain('reportQr');
  });

  it("reports the next QR through WAHA's SCAN_QR_CODE webhook and session.fetchQr, then WORKING once scanned", async () => {
    // WAHA rotates the first QR after 60 s (6 s at this time scale).
    let shownInWaha = stack.sim.session(qrSessionId)?.qr;
    const rotated = await sessionOnce(qrSessionId, (s) => {
      shownInWaha = stack.sim.session(qrSessionId)?.qr;
      expect(s.qr).not.toBeNull();
      expect(s.qr!.sequence).toBeGreaterThanOrEqual(2);
      expect(s.qr!.value).toBe(shownInWaha?.value);
    });
    const rotatedSeenAt = Date.now();
    expect(rotated.qr!.sequence).toBe(shownInWaha!.index);
    expect(new Date(rotated.qr!.expiresAt).getTime()).toBe(shownInWaha!.expiresAt);
    // It came from a QR fetch the service queued for WAHA's SCAN_QR_CODE event, run by n8n after
    // the rotation (the create run had ended before it).
    const fetches = await stack.sql<{ status: string }>(
      `select status from outbox_commands where session_id = ? and type = 'session.fetchQr'`,
      [qrSessionId],
    );
    expect(fetches.length).toBeGreaterThanOrEqual(1);
    const afterRotation = executions('whHubSessionFetchQr', qrSessionId).filter(
      (r) => r.startedAt >= firstQrRotatesAt && r.startedAt <= rotatedSeenAt,
    );
    expect(afterRotation.length).toBeGreaterThanOrEqual(1);

    // Scanned: WAHA's session.status webhook brings WORKING and the account.
    stack.sim.link(qrSessionId, { id: '4915100000001@c.us', pushName: 'Shop' });
    const linked = await sessionOnce(qrSessionId, (s) => expect(s.status).toBe('WORKING'));
    expect(linked.me).toEqual({ wahaId: '4915100000001@c.us', pushName: 'Shop' });
    expect(linked.qr).toBeNull();
    expect(linked.lastError).toBeNull();
    expect(executions('whHubSessionCreate', qrSessionId)).toHaveLength(1);

    // One session.fetchQr per SCAN_QR_CODE event of WAHA (the first QR's and each rotation's;
    // WORKING ended the series): one command queued, one n8n run, one WAHA QR call each, and
    // none of them the create run's. A rotation WAHA showed just as the phone linked may reach
    // the service after WORKING: it is then stale and rightly fetches nothing, so the last event
    // may have no fetch; no event ever has two.
    const scans = stack.sim.session(qrSessionId)!.statuses.filter((p) => p.status === 'SCAN_QR_CODE').length;
    expect(scans).toBeGreaterThanOrEqual(2);
    await eventually(
      async () => {
        const queued = await stack.sql<{ id: string }>(
          `select id from outbox_commands where session_id = ? and type = 'session.fetchQr'`,
          [qrSessionId],
        );
        expect(queued.length).toBeLessThanOrEqual(scans);
        expect(queued.length).toBeGreaterThanOrEqual(scans - 1);
        const runs = executions('whHubSessionFetchQr', qrSessionId);
        expect(runs.map((r) => r.status)).toEqual(queued.map(() => 'success'));
        const qrCalls = stack.sim
          .requests()
          .filter((r) => r.operation === 'GET /api/{session}/auth/qr' && r.path.includes(qrSessionId));
        expect(qrCalls).toHaveLength(queued.length);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  it('creates a session by phone number: the pairing code WAHA gave, as ABCD-EFGH', async () => {
    const created = await create({
      displayName: 'Shop by phone',
      authMethod: 'PHONE_CODE',
      phoneNumber: '+49 151 2345 6789',
    });
    phoneSessionId = created.id;

    const withCode = await sessionOnce(phoneSessionId, (s) => expect(s.pairingCode).not.toBeNull());
    expect(withCode.status).toBe('SCAN_QR_CODE');
    expect(withCode.pairingCode!.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const wahaSession = stack.sim.session(phoneSessionId)!;
    expect(withCode.pairingCode!.code).toBe(wahaSession.pairingCode!.code);
    expect(wahaSession.pairingCode!.phoneNumber).toBe('4915123456789');
    // The code comes from the create run (no webhook announces codes), which then ends.
    const run = await createRunEnded(phoneSessionId);
    expect(run.status).toBe('success');
    expect(run.data).toContain('reportPairingCode');
    expect(run.data).toContain(withCode.pairingCode!.code);
  });

  it('reports the end of the QR window: the session FAILED', async () => {
    // 160 s of WAHA time at a 0.1 time scale; WAHA's session.status webhook says it gave up.
    const failed = await sessionOnce(phoneSessionId, (s) => expect(s.status).toBe('FAILED'), 180_000);
    expect(failed.pairingCode).toBeNull();
    expect(stack.sim.session(phoneSessionId)!.status).toBe('FAILED');
    // WAHA announced six QRs; a PHONE_CODE session fetches none of them.
    expect(executions('whHubSessionFetchQr', phoneSessionId)).toEqual([]);
  });

  let unknownToWahaId = '';

  it('reports WAHA answering 5xx, with WAHA status code and message', async () => {
    // The workflow's POST /api/sessions, and only it: the earlier sessions' work may still call WAHA.
    stack.sim.setFaults({ status5xx: 503, count: 1, operation: 'POST /api/sessions' });
    const created = await create({ displayName: 'Shop while WAHA is down' });
    unknownToWahaId = created.id;

    const failed = await sessionOnce(unknownToWahaId, (s) => expect(s.lastError).not.toBeNull());
    expect(failed.lastError!.message).toBe(
      'WAHA refused POST /api/sessions (WAHA 503: Simulated WAHA failure)',
    );
    expect(stack.sim.session(unknownToWahaId)).toBeUndefined();
  });

  it('reports WAHA answering 404 for a session it does not know', async () => {
    const stopped = await stack.gql(STOP, { id: unknownToWahaId }, token);
    expect(stopped.errors).toBeUndefined();

    const failed = await sessionOnce(unknownToWahaId, (s) =>
      expect(s.lastError?.message).toEqual(expect.stringMatching(/WAHA 404/)),
    );
    expect(failed.lastError!.message).toMatch(
      /^WAHA refused POST \/api\/sessions\/\{session\}\/stop \(WAHA 404: /,
    );
  });

  it('reports WAHA answering 422 for a step in the wrong state, with the status WAHA gave', async () => {
    const status = await stack.postCommand({
      commandId: ulid(),
      type: 'session.requestCode',
      tenantId: 'from-the-envelope',
      sessionId: qrSessionId,
      payload: { phoneNumber: '4915100000001' },
    });
    expect(status).toBe(202);

    const failed = await sessionOnce(qrSessionId, (s) =>
      expect(s.lastError?.message).toEqual(expect.stringMatching(/request-code.*WAHA 422/)),
    );
    expect(failed.lastError!.message).toBe(
      'WAHA refused POST /api/{session}/auth/request-code (session is WORKING, expected SCAN_QR_CODE) ' +
        '(WAHA 422: Session status is not as expected. Try again later or restart the session)',
    );
    expect(failed.status).toBe('WORKING');
  });

  it('reports a write-back the service refused through the error workflow', async () => {
    // A delete the tenant never asked for: WAHA deletes, but the service keeps the session and
    // refuses reportSessionDeleted; the error workflow reports that against the session.
    const status = await stack.postCommand({
      commandId: ulid(),
      type: 'session.delete',
      tenantId: 'from-the-envelope',
      sessionId: qrSessionId,
      payload: {},
    });
    expect(status).toBe(202);

    const failed = await sessionOnce(qrSessionId, (s) =>
      expect(s.lastError?.message).toEqual(expect.stringMatching(/error workflow|did not take a write-back/)),
    );
    expect(failed.lastError!.message).toMatch(
      /^n8n workflow "whatsapp-hub: session\.delete" failed at "Write-back failed": whatsapp-hub did not take a write-back: .*not deleted by its tenant/,
    );
    expect(stack.sim.session(qrSessionId)).toBeUndefined();
  });

  let lateSessionId = '';

  it('keeps a command while n8n is down and delivers it once n8n is back, without re-import', async () => {
    await stack.stopN8n();
    const created = await create({ displayName: 'Shop while n8n is down' });
    lateSessionId = created.id;

    // More than one attempt: a delivery failed and is being retried.
    const pending = await eventually(
      async () => {
        const [row] = await stack.sql<{ status: string; attempts: number; last_error: string | null }>(
          `select status, attempts, last_error from outbox_commands where session_id = ? and type = 'session.create'`,
          [lateSessionId],
        );
        expect(row).toBeDefined();
        expect(row!.attempts).toBeGreaterThan(1);
        return row!;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(pending.status).toBe('PENDING');
    expect(pending.last_error).toMatch(/n8n unreachable/);
    expect(stack.sim.session(lateSessionId)).toBeUndefined();

    await stack.startN8n();
    let withQr: SessionView;
    try {
      withQr = await sessionOnce(
        lateSessionId,
        // The whole state in the check, so a failure shows where the session got stuck.
        (s) =>
          expect({ status: s.status, lastError: s.lastError, qr: s.qr }).toMatchObject({
            qr: { sequence: 1 },
          }),
        180_000,
      );
    } catch (error) {
      // Where it got stuck: the outbox row, n8n's create runs, WAHA's last calls.
      const state = JSON.stringify({
        commands: await stack.sql(`select status, attempts from outbox_commands where session_id = ?`, [
          lateSessionId,
        ]),
        runs: executions('whHubSessionCreate', lateSessionId).map((r) => [r.status, r.data.slice(0, 400)]),
        waha: stack.sim
          .requests()
          .map((r) => r.operation)
          .slice(-5),
      });
      throw new Error(`${String(error)}\n${state}`, { cause: error });
    }
    expect(withQr.qr!.sequence).toBe(1);
    const [delivered] = await stack.sql<{ status: string }>(
      `select status from outbox_commands where session_id = ? and type = 'session.create'`,
      [lateSessionId],
    );
    expect(delivered!.status).toBe('DELIVERED');
  });

  it('deletes a session: gone in WAHA, and its row removed', async () => {
    expect(stack.sim.session(lateSessionId)).toBeDefined();
    const deleted = await stack.gql<{ deleteWhatsappSession: { status: string } }>(
      DELETE,
      { id: lateSessionId },
      token,
    );
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteWhatsappSession.status).toBe('DELETING');

    await eventually(
      async () => {
        expect(await stack.sql(`select id from whatsapp_sessions where id = ?`, [lateSessionId])).toEqual([]);
        expect(stack.sim.session(lateSessionId)).toBeUndefined();
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
  });
});
