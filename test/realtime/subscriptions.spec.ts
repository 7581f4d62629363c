import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { JwtService } from '../../src/auth/jwt.service.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { eventually } from '../support/eventually.js';
import {
  apolloClient,
  graphqlWsClient,
  report,
  SESSION_UPDATED,
  SESSIONS_UPDATED,
  type SessionUpdate,
  subscribeWs,
  wsUrl,
} from './support.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };
type ListUpdated = { whatsappSessionsUpdated: SessionUpdate };

const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id status } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renameWhatsappSession(id: $id, displayName: $name) { id } }`;

/** A raw graphql-transport-ws socket: what it is closed with after connection_init (never acknowledged). */
async function closeOf(t: TestApp, payload: Record<string, unknown> | undefined) {
  const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws');
  const messages: unknown[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', ...(payload ? { payload } : {}) }));
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString(), messages };
}

describe.each([
  ['in-process pub/sub', {}],
  ['Redis pub/sub', { REDIS_URL: TEST_REDIS_URL }],
])('subscriptions over graphql-ws (%s)', (_name, env: Record<string, string>) => {
  let t: TestApp;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    t = await startTestApp(env);
    tokenA = await t.token('tenant-a');
    tokenB = await t.token('tenant-b');
  });
  afterAll(() => t.close());

  async function createSession(token: string, displayName: string): Promise<string> {
    const result = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName } },
      { token },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.createWhatsappSession.id;
  }

  it('closes a socket without a token with 4401 before any subscription starts', async () => {
    const closed = await closeOf(t, undefined);
    expect(closed.code).toBe(CloseCode.Unauthorized);
    expect(closed.reason).toBe('Unauthorized: connection_init needs authorization');
    expect(closed.messages).toEqual([]);
  });

  it('closes a socket with a refused token with 4403 (bad signature, expired)', async () => {
    const forged = `${tokenA.slice(0, -4)}AAAA`;
    const bad = await closeOf(t, { authorization: `Bearer ${forged}` });
    expect(bad).toEqual({
      code: CloseCode.Forbidden,
      reason: 'Forbidden: The token signature is invalid',
      messages: [],
    });
    const tenant = await t.app.get(TenantsService).ensure('tenant-a');
    const old = await t.app.get(JwtService).sign({ tenantId: tenant.id, userId: 'u', roles: ['admin'] }, -10);
    const late = await closeOf(t, { Authorization: `Bearer ${old}` });
    expect(late).toMatchObject({ code: CloseCode.Forbidden, reason: 'Forbidden: The token has expired' });
  });

  it('acknowledges a valid token given as `authorization` or `Authorization`', async () => {
    for (const key of ['authorization', 'Authorization']) {
      const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws');
      await once(socket, 'open');
      socket.send(JSON.stringify({ type: 'connection_init', payload: { [key]: `Bearer ${tokenA}` } }));
      const [ack] = (await once(socket, 'message')) as [Buffer];
      expect(JSON.parse(String(ack))).toEqual({ type: 'connection_ack' });
      socket.close();
    }
  });

  it('streams one session: its state first, then every QR in order, then WORKING with the account', async () => {
    const id = await createSession(tokenA, 'Shop front');
    const ws = graphqlWsClient(t, tokenA);
    const apollo = apolloClient(t, tokenA);
    try {
      const viaWs = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      const viaApollo = apollo.subscribe<Updated>(SESSION_UPDATED, { id });
      // The first event is the session as it stands: from then on the stream is live.
      await viaWs.collected.until((items) => items.length >= 1);
      await viaApollo.collected.until((items) => items.length >= 1);
      expect(viaWs.collected.items[0]!.whatsappSessionUpdated.session).toMatchObject({
        id,
        status: 'CREATING',
        qr: null,
      });

      for (const value of ['qr-one', 'qr-two', 'qr-three'])
        await report(t, 'reportQr', { sessionId: id, value });
      await report(t, 'reportSessionStatus', {
        sessionId: id,
        status: 'WORKING',
        me: { id: '4915112345678@c.us', pushName: 'Shop' },
      });

      for (const stream of [viaWs.collected, viaApollo.collected]) {
        const items = await stream.until((all) =>
          all.some((u) => u.whatsappSessionUpdated.session.status === 'WORKING'),
        );
        const sessions = items.map((u) => u.whatsappSessionUpdated.session);
        expect(sessions.map((s) => [s.status, s.qr?.value ?? null, s.qr?.sequence ?? null])).toEqual([
          ['CREATING', null, null],
          ['SCAN_QR_CODE', 'qr-one', 1],
          ['SCAN_QR_CODE', 'qr-two', 2],
          ['SCAN_QR_CODE', 'qr-three', 3],
          ['WORKING', null, null],
        ]);
        expect(sessions[4]!.me).toMatchObject({ wahaId: '4915112345678@c.us', pushName: 'Shop' });
        // WAHA's clock: the first QR lives 60 s, the next ones 20 s.
        const ttl = (s: (typeof sessions)[number]) => Date.parse(s.qr!.expiresAt!) - Date.parse(s.updatedAt);
        expect(ttl(sessions[1]!)).toBeGreaterThan(55_000);
        expect(ttl(sessions[2]!)).toBeLessThanOrEqual(20_000);
        expect(sessions[1]!.qr!.pngDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
      }
      viaWs.dispose();
      viaApollo.dispose();
    } finally {
      await ws.dispose();
      await apollo.close();
    }
  });

  it('streams every session of the tenant to a list view, deletions included', async () => {
    const id = await createSession(tokenA, 'Listed');
    const ws = graphqlWsClient(t, tokenA);
    try {
      const list = subscribeWs<ListUpdated>(ws, SESSIONS_UPDATED);
      let n = 0;
      await eventually(async () => {
        await t.gql(RENAME, { id, name: `Listed ${++n}` }, { token: tokenA });
        expect(list.collected.items).not.toHaveLength(0);
      });
      await t.gql(`mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }`, { id }, { token: tokenA });
      const items = await list.collected.until((all) => all.some((u) => u.whatsappSessionsUpdated.deleted));
      const last = items.at(-1)!.whatsappSessionsUpdated;
      expect(last).toMatchObject({ deleted: true, session: { id, status: 'DELETING' } });
      list.dispose();
    } finally {
      await ws.dispose();
    }
  });

  it("never gives tenant B tenant A's events, whatever B subscribes to", async () => {
    const idA = await createSession(tokenA, 'A secret');
    const idB = await createSession(tokenB, 'B own');
    const ws = graphqlWsClient(t, tokenB);
    try {
      // Guessing A's id: NOT_FOUND, as for queries, and the stream ends.
      const guessed = subscribeWs<Updated>(ws, SESSION_UPDATED, { id: idA });
      await guessed.collected.settled();
      expect(guessed.collected.items).toEqual([]);
      const errors = guessed.collected.errors.flat() as { extensions?: { code?: string } }[];
      expect(errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);

      const list = subscribeWs<ListUpdated>(ws, SESSIONS_UPDATED);
      const own = subscribeWs<Updated>(ws, SESSION_UPDATED, { id: idB });
      await own.collected.until((items) => items.length >= 1);
      let n = 0;
      await eventually(async () => {
        await t.gql(RENAME, { id: idB, name: `B own ${++n}` }, { token: tokenB });
        expect(list.collected.items).not.toHaveLength(0);
      });

      // A's QR, then B's: B hears its own and nothing of A's.
      await report(t, 'reportQr', { sessionId: idA, value: 'a-secret-qr' });
      await report(t, 'reportQr', { sessionId: idB, value: 'b-own-qr' });
      await list.collected.until((items) =>
        items.some((u) => u.whatsappSessionsUpdated.session.qr?.value === 'b-own-qr'),
      );
      await own.collected.until((items) =>
        items.some((u) => u.whatsappSessionUpdated.session.qr?.value === 'b-own-qr'),
      );
      const heard = [
        ...list.collected.items.map((u) => u.whatsappSessionsUpdated.session.id),
        ...own.collected.items.map((u) => u.whatsappSessionUpdated.session.id),
      ];
      expect(new Set(heard)).toEqual(new Set([idB]));
      expect(JSON.stringify([list.collected.items, own.collected.items])).not.toContain('a-secret');
      list.dispose();
      own.dispose();
    } finally {
      await ws.dispose();
    }
  });

  it('answers a subscription to an unknown session with NOT_FOUND, its stable code and message', async () => {
    const ws = graphqlWsClient(t, tokenA);
    try {
      const missing = subscribeWs<Updated>(ws, SESSION_UPDATED, { id: 'ws_does_not_exist' });
      await missing.collected.settled();
      expect(missing.collected.errors.flat()).toEqual([
        expect.objectContaining({
          message: 'WhatsApp session "ws_does_not_exist" was not found',
          extensions: { code: 'NOT_FOUND' },
        }),
      ]);
    } finally {
      await ws.dispose();
    }
  });

  it('keeps answering queries over HTTP while sockets are open', async () => {
    const result = await t.gql(
      `{ whatsappSessions(first: 1) { edges { node { id } } } }`,
      {},
      { token: tokenA },
    );
    expect(codesOf(result)).toEqual([]);
  });
});
