/**
 * Issue 13 as a dashboard meets it: Apollo Client over graphql-ws (mutations included, on the
 * same socket) follows one session while the WAHA simulator (GOWS, the engine with passkeys and
 * message capping) plays the phone and WhatsApp's rules, n8n runs the real workflows, and
 * sends are paced by the service.
 *
 * What a person hits: the phone asks for its passkey, then for a code to compare (the QR goes
 * away, a new QR is refused while the phone decides); the number gets a capping warning, then is
 * capped and a send is refused with when it clears; a time-locked number cannot write to a new
 * contact but can answer one who wrote; a few answers in a row go out, paced, and are SENT.
 */
import { CombinedGraphQLErrors, gql } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { eventually } from '../support/eventually.js';
import { apolloClient, type Collected } from '../realtime/support.js';
import { startStack, type Stack } from './support/stack.js';

const POLL = { timeoutMs: 180_000, intervalMs: 200 };
const ME = '4915100000066@c.us';
const SESSION = `id status qr { sequence } passkey { step code instruction }
  messageCapping { status warning usedQuota totalQuota cycleEnd }
  reachoutTimelock { active until } lastError { message }`;
const UPDATED = `subscription($id: ID!) { whatsappSessionUpdated(id: $id) { session { ${SESSION} } } }`;
const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id status } }`;
const REFRESH_QR = `mutation($id: ID!) { refreshWhatsappSessionQr(id: $id) { id } }`;
const SEND = `mutation($s: ID!, $to: String!, $text: String!) {
  sendWhatsappMessage(sessionId: $s, to: $to, text: $text) { id status } }`;
const MESSAGES = `query($s: ID!, $c: ID!) { messages(sessionId: $s, chatId: $c, first: 50) { edges { node { id body status fromMe } } } }`;

interface Session {
  id: string;
  status: string;
  qr: { sequence: number | null } | null;
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
interface Updated {
  whatsappSessionUpdated: { session: Session };
}
interface Refused {
  code: unknown;
  details: Record<string, unknown> | undefined;
  message: string;
}

describe('a dashboard through passkey linking, capping, the timelock and paced sends (Apollo Client, real n8n, WAHA simulator on GOWS)', () => {
  let stack: Stack;
  let token: string;
  let sessionId: string;
  let dashboard: ReturnType<typeof apolloClient>;
  let live: { collected: Collected<Updated>; dispose: () => void };

  /** A mutation as the dashboard sends it (over graphql-ws): its data, or what refused it. */
  const mutate = async <T>(
    mutation: string,
    variables: Record<string, unknown>,
  ): Promise<{ data?: T; refused?: Refused }> => {
    try {
      const result = await dashboard.client.mutate<T>({ mutation: gql(mutation), variables });
      return { data: result.data! };
    } catch (error) {
      // Apollo Client's own error type: the GraphQL error as a dashboard reads it.
      if (!CombinedGraphQLErrors.is(error)) throw error;
      const [first] = error.errors;
      return {
        refused: {
          code: first?.extensions?.['code'],
          details: first?.extensions?.['details'] as Record<string, unknown> | undefined,
          message: first?.message ?? '',
        },
      };
    }
  };
  /** The last live update that satisfies `match`, as the dashboard received it. */
  const shown = (match: (s: Session) => boolean) =>
    eventually(() => {
      if (live.collected.errors.length > 0) throw new Error(JSON.stringify(live.collected.errors));
      const seen = live.collected.items.map((u) => u.whatsappSessionUpdated.session).filter(match);
      expect(seen.length).toBeGreaterThan(0);
      return seen.at(-1)!;
    }, POLL);
  const messagesOf = async (chatId: string) => {
    const result = await stack.gql<{
      messages: { edges: { node: { id: string; body: string; status: string; fromMe: boolean } }[] };
    }>(MESSAGES, { s: sessionId, c: chatId }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.messages.edges.map((e) => e.node);
  };

  /** Nothing was stored for `chatId`: not even its chat. */
  const nothingStored = async (chatId: string) => {
    const result = await stack.gql(MESSAGES, { s: sessionId, c: chatId }, token);
    expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
  };

  beforeAll(async () => {
    // Sends paced as in production, only shorter: the answers below leave one by one.
    stack = await startStack({
      timeScale: 0.1,
      engine: 'GOWS',
      serviceEnv: { SEND_PACING_INTERVAL_MS: '300', SEND_PACING_JITTER_MS: '100', SEND_PACING_WARMUP: '2' },
    });
    token = await stack.token('dashboard-limits');
    dashboard = apolloClient(stack.app, token);
    const created = await mutate<{ createWhatsappSession: { id: string } }>(CREATE, {
      input: { displayName: 'Limits' },
    });
    expect(created.refused).toBeUndefined();
    sessionId = created.data!.createWhatsappSession.id;
    live = dashboard.subscribe<Updated>(UPDATED, { id: sessionId });
    await shown((s) => s.status === 'SCAN_QR_CODE' && s.qr !== null);
  }, 5 * 60_000);

  afterAll(async () => {
    live?.dispose();
    await dashboard?.close();
    await stack?.close();
  }, 60_000);

  it('links by passkey: the QR gives way to "approve on the phone", then a code to compare, then WORKING with its limits', async () => {
    stack.sim.linkWithPasskey(sessionId, { me: { id: ME, pushName: 'Shop' } });
    const approve = await shown((s) => s.status === 'PASSKEY_REQUIRED');
    expect(approve).toMatchObject({ qr: null, passkey: { step: 'APPROVE_ON_PHONE', code: null } });
    expect(approve.passkey!.instruction).toMatch(/passkey/i);
    // Asking for a new QR now would break off the link the phone is approving.
    expect((await mutate(REFRESH_QR, { id: sessionId })).refused).toMatchObject({
      code: 'FAILED_PRECONDITION',
    });

    stack.sim.passkeyApprove(sessionId);
    const compare = await shown((s) => s.status === 'PASSKEY_CONFIRMATION_REQUIRED');
    // The code the phone shows (the simulator plays it): the dashboard shows the same.
    const code = stack.sim.session(sessionId)!.passkey!.code;
    expect(compare.passkey).toMatchObject({ step: 'COMPARE_CODE', code });
    expect(code).toMatch(/\S/);

    stack.sim.passkeyConfirm(sessionId);
    const working = await shown((s) => s.status === 'WORKING');
    expect(working.passkey).toBeNull();
    // Linking queued session.limits: n8n asked WAHA, and the dashboard sees an uncapped account.
    await shown((s) => s.messageCapping?.status === 'NONE');
  });

  it('shows a capping warning live, and refuses a send while CAPPED with when it clears, storing nothing', async () => {
    const cycleEnd = Math.floor(Date.now() / 1000) + 3 * 86_400;
    stack.sim.setCapping(sessionId, {
      cappingStatus: 'FIRST_WARNING',
      totalQuota: 100,
      usedQuota: 81,
      cycleEnd,
    });
    const warned = await shown((s) => s.messageCapping?.status === 'FIRST_WARNING');
    expect(warned.messageCapping).toMatchObject({
      status: 'FIRST_WARNING',
      warning: true,
      usedQuota: 81,
      totalQuota: 100,
      cycleEnd: new Date(cycleEnd * 1000).toISOString(),
    });

    stack.sim.setCapping(sessionId, { cappingStatus: 'CAPPED', totalQuota: 100, usedQuota: 100, cycleEnd });
    await shown((s) => s.messageCapping?.status === 'CAPPED');
    const refused = await mutate(SEND, { s: sessionId, to: '4917000000301@c.us', text: 'Hello!' });
    expect(refused.refused).toMatchObject({
      code: 'SESSION_CAPPED',
      details: { clearsAt: new Date(cycleEnd * 1000).toISOString(), usedQuota: 100, totalQuota: 100 },
    });
    await nothingStored('4917000000301@c.us');

    stack.sim.setCapping(sessionId, { cappingStatus: 'NONE', totalQuota: 100, usedQuota: 0, cycleEnd });
    await shown((s) => s.messageCapping?.status === 'NONE');
  });

  it('under the timelock refuses a first message to a new contact, and sends paced answers to one who wrote', async () => {
    const until = Math.floor(Date.now() / 1000) + 86_400;
    stack.sim.setTimelock(sessionId, { isActive: true, timeEnforcementEnds: until });
    await shown((s) => s.reachoutTimelock?.active === true);

    const cold = await mutate(SEND, { s: sessionId, to: '4917000000302@c.us', text: 'Special offer' });
    expect(cold.refused).toMatchObject({
      code: 'SESSION_TIMELOCKED',
      details: { clearsAt: new Date(until * 1000).toISOString() },
    });
    await nothingStored('4917000000302@c.us');

    const customer = '4917000000303@c.us';
    const question = stack.sim.inbound(sessionId, { from: customer, body: 'Is it in stock?' });
    await eventually(async () => expect((await messagesOf(customer)).length).toBe(1), POLL);
    const answers = ['Yes', 'In blue and red', 'Shipping tomorrow'];
    const ids: string[] = [];
    for (const text of answers) {
      const sent = await mutate<{ sendWhatsappMessage: { id: string; status: string } }>(SEND, {
        s: sessionId,
        to: customer,
        text,
      });
      expect(sent.refused).toBeUndefined();
      ids.push(sent.data!.sendWhatsappMessage.id);
    }
    // n8n sent each through WAHA (which refuses reach-outs while locked, not answers): SENT.
    await eventually(async () => {
      const ours = (await messagesOf(customer)).filter((m) => m.fromMe);
      expect(ours.map((m) => [m.body, m.status]).sort()).toEqual(answers.map((a) => [a, 'SENT']).sort());
      // Under the ids the sends answered: a message's id stays the same once WAHA accepts it.
      expect(ours.map((m) => m.id).sort()).toEqual([...ids].sort());
    }, POLL);
    const sendTexts = stack.sim
      .requests()
      .filter((r) => r.operation === 'POST /api/sendText' && r.status < 300)
      .map((r) => (r.requestBody as { text: string }).text);
    expect(sendTexts).toEqual(expect.arrayContaining(answers));
    expect(question.id).toBeTruthy();
  });
});
