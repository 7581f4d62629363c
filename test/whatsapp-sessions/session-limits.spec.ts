import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CommandPayloads } from '../../src/outbox/commands.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { codesOf, sql, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { internalGql } from '../support/internal-api.js';
import {
  CREATE_SESSION,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';

const SESSION_FIELDS = `id status updatedAt me { wahaId } qr { value } pairingCode { code }
  passkey { step code instruction }
  messageCapping { status warning usedQuota totalQuota cycleEnd }
  reachoutTimelock { active until }`;
const SESSION = `query($id: ID!) { whatsappSession(id: $id) { ${SESSION_FIELDS} } }`;
const UPDATED = `subscription($id: ID!) { whatsappSessionUpdated(id: $id) { deleted session { ${SESSION_FIELDS} } } }`;
const SEND = `mutation($sessionId: ID!, $to: String!, $text: String!) {
  sendWhatsappMessage(sessionId: $sessionId, to: $to, text: $text) { localId status } }`;
const REFRESH = `mutation($id: ID!) { refreshWhatsappSessionLimits(id: $id) { id status } }`;
const REPORT_LIMITS = `mutation($input: ReportSessionLimitsInput!) { reportSessionLimits(input: $input) { id status } }`;
const REPORT_STATUS = `mutation($input: ReportSessionStatusInput!) { reportSessionStatus(input: $input) { id status } }`;

interface Session {
  id: string;
  status: string;
  updatedAt: string;
  me: { wahaId: string } | null;
  qr: { value: string } | null;
  pairingCode: { code: string } | null;
  passkey: { step: string; code: string | null; instruction: string } | null;
  messageCapping: {
    status: string;
    warning: boolean;
    usedQuota: number | null;
    totalQuota: number | null;
    cycleEnd: string | null;
  } | null;
  reachoutTimelock: { active: boolean; until: string | null } | null;
}

const seconds = (ms: number) => Math.floor(ms / 1000);
const isoOfSeconds = (s: number) => new Date(s * 1000).toISOString();

describe("WhatsApp's 2026 session rules: passkey linking, message capping, reach-out timelock", () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let s: LinkedSession;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'rules-co' });
    ({ t, sim, session: s } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  const session = async (of: LinkedSession = s): Promise<Session> => {
    const result = await t.gql<{ whatsappSession: Session }>(SESSION, { id: of.id }, { token: of.token });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.whatsappSession;
  };
  const send = (to: string, text: string, of: LinkedSession = s) =>
    t.gql<{ sendWhatsappMessage: { localId: string; status: string } }>(
      SEND,
      { sessionId: of.id, to, text },
      { token: of.token },
    );
  /** Every row a send could write: the session's messages, chats and message.send commands. */
  const writes = async (of: LinkedSession = s) =>
    JSON.stringify([
      await sql(t, `select id from messages where session_id = ? order by id`, [of.id]),
      await sql(t, `select id from chats where session_id = ? order by id`, [of.id]),
      await sql(
        t,
        `select id from outbox_commands where session_id = ? and type = 'message.send' order by id`,
        [of.id],
      ),
    ]);
  const limitsCommands = async (of: LinkedSession) =>
    (
      await sql<{ n: string }>(
        t,
        `select count(*) as n from outbox_commands where session_id = ? and type = 'session.limits'`,
        [of.id],
      )
    )[0]!.n;

  it('follows a passkey link from create to WORKING, live: the step to do, the code to compare, then linked', async () => {
    const token = await t.token('passkey-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'Passkey line' } },
      { token },
    );
    const { id } = created.data!.createWhatsappSession;
    const ws = graphqlWsClient(t, token);
    try {
      const updates = subscribeWs<{ whatsappSessionUpdated: { session: Session } }>(ws, UPDATED, { id });
      const [command] = await sql<{ payload: CommandPayloads['session.create'] }>(
        t,
        `select payload from outbox_commands where session_id = ? and type = 'session.create'`,
        [id],
      );
      const request = command!.payload.wahaRequest;
      const webhooks = request.config.webhooks.map((hook) => ({ ...hook, url: `${t.url}/webhooks/waha` }));
      const created = await fetch(`${sim.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...request, config: { ...request.config, webhooks } }),
      });
      expect(created.status).toBe(201);
      const line = { id, token } as LinkedSession;
      await eventually(async () => expect((await session(line)).status).toBe('SCAN_QR_CODE'));

      // The phone scans, and WhatsApp asks for its passkey.
      sim.linkWithPasskey(id, { me: { id: '4915199990000@c.us', pushName: 'Passkey phone' } });
      await webhooksSettled(sim, id);
      const required = await session(line);
      expect(required).toMatchObject({
        status: 'PASSKEY_REQUIRED',
        qr: null,
        pairingCode: null,
        me: null,
        passkey: { step: 'APPROVE_ON_PHONE', code: null },
      });
      expect(required.passkey!.instruction).toMatch(/passkey/);

      // The passkey went through; WhatsApp wants the code compared.
      const code = sim.passkeyApprove(id).passkey!.code!;
      expect(code).toMatch(/^\d{4}$/);
      await webhooksSettled(sim, id);
      expect(await session(line)).toMatchObject({
        status: 'PASSKEY_CONFIRMATION_REQUIRED',
        passkey: { step: 'COMPARE_CODE', code },
      });

      // Confirmed through WAHA's own endpoint, as a workflow would.
      const confirmed = await fetch(`${sim.url}/api/${id}/auth/passkey/confirm`, { method: 'POST' });
      expect(confirmed.status).toBe(201);
      await webhooksSettled(sim, id);
      expect(await session(line)).toMatchObject({
        status: 'WORKING',
        passkey: null,
        me: { wahaId: '4915199990000@c.us' },
      });

      // The dashboard saw each step, in order, with the code.
      const items = await updates.collected.until((all) =>
        all.some((u) => u.whatsappSessionUpdated.session.status === 'WORKING'),
      );
      const steps = items
        .map((u) => u.whatsappSessionUpdated.session)
        .filter((u) => u.status.startsWith('PASSKEY') || u.status === 'WORKING')
        .map((u) => [u.status, u.passkey?.step ?? null, u.passkey?.code ?? null]);
      expect(steps).toEqual([
        ['PASSKEY_REQUIRED', 'APPROVE_ON_PHONE', null],
        ['PASSKEY_CONFIRMATION_REQUIRED', 'COMPARE_CODE', code],
        ['WORKING', null, null],
      ]);
      updates.dispose();
    } finally {
      await ws.dispose();
    }
    // Linked: n8n is asked for the account's limits.
    expect(await limitsCommands({ id } as LinkedSession)).toBe('1');
  });

  it('shows capping warnings live, and while CAPPED refuses every send with the time it clears, writing nothing', async () => {
    const cycleEnd = seconds(Date.now()) + 3 * 24 * 3600;
    const ws = graphqlWsClient(t, s.token);
    const updates = subscribeWs<{ whatsappSessionUpdated: { session: Session } }>(ws, UPDATED, { id: s.id });
    // The subscription's first item is the session as it stands: it is live from then on.
    await updates.collected.until((all) => all.length > 0);
    sim.setCapping(s.id, { cappingStatus: 'FIRST_WARNING', totalQuota: 50, usedQuota: 40, cycleEnd });
    const pushed = await updates.collected.until((all) =>
      all.some((u) => u.whatsappSessionUpdated.session.messageCapping?.status === 'FIRST_WARNING'),
    );
    await ws.dispose();
    expect(pushed.at(-1)!.whatsappSessionUpdated.session.messageCapping).toEqual({
      status: 'FIRST_WARNING',
      warning: true,
      usedQuota: 40,
      totalQuota: 50,
      cycleEnd: isoOfSeconds(cycleEnd),
    });
    await webhooksSettled(sim, s.id);
    // A warning warns; it does not refuse.
    expect((await send('+49 170 1000001', 'Still allowed')).errors).toBeUndefined();

    sim.setCapping(s.id, { cappingStatus: 'SECOND_WARNING', totalQuota: 50, usedQuota: 48, cycleEnd });
    await webhooksSettled(sim, s.id);
    expect((await session()).messageCapping).toMatchObject({ status: 'SECOND_WARNING', warning: true });

    sim.setCapping(s.id, { cappingStatus: 'CAPPED', totalQuota: 50, usedQuota: 50, cycleEnd });
    await webhooksSettled(sim, s.id);
    expect((await session()).messageCapping).toMatchObject({
      status: 'CAPPED',
      warning: false,
      usedQuota: 50,
    });
    const before = await writes();
    for (const to of ['+49 170 1000002', '+49 170 1000001']) {
      const refused = await send(to, 'Over the cap');
      expect(codesOf(refused)).toEqual(['SESSION_CAPPED']);
      expect(refused.errors![0]!.extensions).toMatchObject({
        code: 'SESSION_CAPPED',
        details: { clearsAt: isoOfSeconds(cycleEnd), usedQuota: 50, totalQuota: 50 },
      });
      expect(refused.errors![0]!.message).toContain(isoOfSeconds(cycleEnd));
    }
    expect(await writes()).toBe(before);
    sim.setCapping(s.id, { cappingStatus: 'NONE', totalQuota: 50, usedQuota: 0 });
    await webhooksSettled(sim, s.id);
    expect((await session()).messageCapping).toMatchObject({ status: 'NONE', warning: false });
    expect((await send('+49 170 1000002', 'Again')).errors).toBeUndefined();
  });

  it('refuses a first message to a new contact while time-locked, but not a reply in an existing chat', async () => {
    const contact = '4917020000001@c.us';
    sim.inbound(s.id, { from: contact, body: 'Hi there' });
    await webhooksSettled(sim, s.id);
    const until = seconds(Date.now()) + 6 * 3600;
    sim.setTimelock(s.id, { isActive: true, timeEnforcementEnds: until });
    await webhooksSettled(sim, s.id);
    expect((await session()).reachoutTimelock).toEqual({ active: true, until: isoOfSeconds(until) });
    const waha = await fetch(`${sim.url}/api/sendText`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session: s.id, chatId: '4917020000002@c.us', text: 'x' }),
    });
    expect(waha.status).toBe(500);
    expect(await waha.json()).toMatchObject({ exception: { message: 'server returned error 463' } });

    const before = await writes();
    for (const to of ['+49 170 20000002', '4917020000003@c.us']) {
      const refused = await send(to, 'Cold message');
      expect(codesOf(refused)).toEqual(['SESSION_TIMELOCKED']);
      expect(refused.errors![0]!.extensions).toMatchObject({ details: { clearsAt: isoOfSeconds(until) } });
    }
    expect(await writes()).toBe(before);
    // A reply to the contact who wrote goes out.
    const reply = await send(contact, 'Thanks for writing');
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.sendWhatsappMessage.status).toBe('PENDING');

    sim.setTimelock(s.id, { isActive: true, timeEnforcementEnds: seconds(Date.now()) - 60 });
    await webhooksSettled(sim, s.id);
    expect((await send('+49 170 20000004', 'After the lock')).errors).toBeUndefined();

    sim.setTimelock(s.id, { isActive: false, timeEnforcementEnds: null });
    await webhooksSettled(sim, s.id);
    expect((await session()).reachoutTimelock).toEqual({ active: false, until: null });
    expect((await send('+49 170 20000005', 'Free again')).errors).toBeUndefined();
  });

  it('takes odd capping and timelock values from WAHA without a 500: what makes sense is kept, the rest ignored', async () => {
    const base = { name: s.id, status: 'WORKING' };
    const odd: unknown[] = [
      { messageCapping: 'CAPPED' },
      { messageCapping: [1, 2] },
      { messageCapping: { cappingStatus: 'MAYBE' } },
      { messageCapping: { cappingStatus: 7 } },
      { reachoutTimelock: { isActive: 'yes' } },
      { reachoutTimelock: 42 },
    ];
    const before = await session();
    for (const data of odd) {
      const answer = await f.deliver('session.status', { ...base, data });
      expect(answer.status).toBe(200);
    }
    const after = await session();
    expect(after.messageCapping).toEqual(before.messageCapping);
    expect(after.reachoutTimelock).toEqual(before.reachoutTimelock);
    // Fields that make no sense are dropped one by one; the state stays.
    const answer = await f.deliver('session.status', {
      ...base,
      data: {
        messageCapping: {
          cappingStatus: 'FIRST_WARNING',
          usedQuota: -3,
          totalQuota: 'lots',
          cycleEnd: 'next tuesday',
        },
        reachoutTimelock: { isActive: true, timeEnforcementEnds: 1e300 },
      },
    });
    expect(answer.status).toBe(200);
    expect((await session()).messageCapping).toEqual({
      status: 'FIRST_WARNING',
      warning: true,
      usedQuota: null,
      totalQuota: null,
      cycleEnd: null,
    });
    expect((await session()).reachoutTimelock).toEqual({ active: true, until: null });

    // Numeric strings, ISO strings and -1 (no cap) are WAHA's too.
    for (const cycleEnd of ['1893456000', '2030-01-01T00:00:00.000Z', 1893456000]) {
      const delivered = await f.deliver('session.status', {
        ...base,
        data: { messageCapping: { cappingStatus: 'NONE', usedQuota: '2', totalQuota: -1, cycleEnd } },
      });
      expect(delivered.status).toBe(200);
      expect((await session()).messageCapping).toEqual({
        status: 'NONE',
        warning: false,
        usedQuota: 2,
        totalQuota: null,
        cycleEnd: '2030-01-01T00:00:00.000Z',
      });
    }
    await f.deliver('session.status', { ...base, data: { reachoutTimelock: null } });
    expect((await session()).reachoutTimelock).toBeNull();
  });

  it('refreshes through n8n: session.limits queued once, reportSessionLimits applied idempotently', async () => {
    const queued = Number(await limitsCommands(s));
    const refreshed = await t.gql(REFRESH, { id: s.id }, { token: s.token });
    expect(refreshed.errors).toBeUndefined();
    await t.gql(REFRESH, { id: s.id }, { token: s.token });
    const [command] = await sql<{ id: string; status: string }>(
      t,
      `select id, status from outbox_commands where session_id = ? and type = 'session.limits' order by created_at desc limit 1`,
      [s.id],
    );
    const pending = await sql(
      t,
      `select id from outbox_commands where session_id = ? and type = 'session.limits' and status = 'PENDING'`,
      [s.id],
    );
    expect(Number(await limitsCommands(s))).toBeLessThanOrEqual(queued + 1);
    expect(pending.length).toBeLessThanOrEqual(1);

    const cycleEnd = seconds(Date.now()) + 86_400;
    const input = {
      sessionId: s.id,
      commandId: command!.id,
      capping: { cappingStatus: 'SECOND_WARNING', totalQuota: 10, usedQuota: 9, cycleEnd },
      timelock: null,
    };
    expect((await internalGql(t, REPORT_LIMITS, { input })).errors).toBeUndefined();
    const first = await session();
    expect(first.messageCapping).toMatchObject({ status: 'SECOND_WARNING', usedQuota: 9, totalQuota: 10 });
    expect(first.reachoutTimelock).toBeNull();
    // n8n retries: nothing changes, not even the row's stamp.
    expect((await internalGql(t, REPORT_LIMITS, { input })).errors).toBeUndefined();
    expect((await session()).updatedAt).toBe(first.updatedAt);

    // An engine without capping (404/422 from WAHA): n8n reports null; leaving a field out keeps it.
    await internalGql(t, REPORT_LIMITS, { input: { sessionId: s.id, capping: null } });
    expect((await session()).messageCapping).toBeNull();
    await internalGql(t, REPORT_LIMITS, {
      input: { sessionId: s.id, timelock: { isActive: false, timeEnforcementEnds: null } },
    });
    expect(await session()).toMatchObject({ messageCapping: null, reachoutTimelock: { active: false } });

    // n8n's reportSessionStatus may carry WAHA's `me` with the limits.
    const status = await internalGql(t, REPORT_STATUS, {
      input: {
        sessionId: s.id,
        status: 'WORKING',
        me: {
          id: s.me,
          pushName: 'Shop',
          messageCapping: { cappingStatus: 'NONE', totalQuota: -1, usedQuota: 0 },
        },
      },
    });
    expect(status.errors).toBeUndefined();
    expect((await session()).messageCapping).toMatchObject({ status: 'NONE', totalQuota: null });
  });

  it('refreshes limits only for a WORKING session, and never reports them for one that is not', async () => {
    const other = await f.link('rules-co');
    sim.disconnect(other.id, { loggedOut: true });
    await eventually(async () => expect((await session(other)).status).toBe('SCAN_QR_CODE'));
    const refused = await t.gql(REFRESH, { id: other.id }, { token: other.token });
    expect(codesOf(refused)).toEqual(['FAILED_PRECONDITION']);
    await internalGql(t, REPORT_LIMITS, {
      input: { sessionId: other.id, capping: { cappingStatus: 'CAPPED', totalQuota: 1, usedQuota: 1 } },
    });
    expect((await session(other)).messageCapping).toBeNull();
  });

  it("keeps a tenant's session limits from another tenant", async () => {
    const tokenB = await t.token('rules-other');
    expect(codesOf(await t.gql(SESSION, { id: s.id }, { token: tokenB }))).toEqual(['NOT_FOUND']);
    const before = await limitsCommands(s);
    expect(codesOf(await t.gql(REFRESH, { id: s.id }, { token: tokenB }))).toEqual(['NOT_FOUND']);
    expect(await limitsCommands(s)).toBe(before);
  });
});
