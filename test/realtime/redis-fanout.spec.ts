import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { eventually } from '../support/eventually.js';
import {
  graphqlWsClient,
  OwnRedis,
  report,
  sessionIdNamed,
  SESSION_UPDATED,
  type SessionUpdate,
  subscribeWs,
} from './support.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };
const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id status qr { value pngDataUrl } } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renameWhatsappSession(id: $id, displayName: $name) { id displayName } }`;
const LIST = `{ whatsappSessions(first: 10) { edges { node { id displayName } } } }`;

describe('two replicas on one Redis', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { REDIS_URL: TEST_REDIS_URL, CREATE_QR_WAIT_MS: '25000' };
    a = await startTestApp(env, db);
    b = await startTestApp(env, db);
    token = await a.token('acme');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  /** Creates on `on` and answers its QR wait from A, as n8n would; returns the id. */
  async function createAnswered(on: TestApp, displayName: string, qr: string): Promise<string> {
    const created = on.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName } },
      { token },
    );
    const id = await sessionIdNamed(a, token, displayName);
    await report(a, 'reportQr', { sessionId: id, value: qr });
    expect((await created).data!.createWhatsappSession.id).toBe(id);
    return id!;
  }

  it("delivers n8n's write-back on replica A to the subscriber on replica B", async () => {
    const id = await createAnswered(a, 'Across', 'unblock');
    const ws = graphqlWsClient(b, token);
    try {
      const stream = subscribeWs<Updated>(ws, SESSION_UPDATED, { id: id! });
      await stream.collected.until((items) => items.length === 1);
      await report(a, 'reportQr', { sessionId: id!, value: 'written-on-a' });
      await report(a, 'reportSessionStatus', {
        sessionId: id!,
        status: 'WORKING',
        me: { id: '4915100000001@c.us' },
      });
      const items = await stream.collected.until((all) => all.length === 3);
      expect(
        items.map((u) => [
          u.whatsappSessionUpdated.session.status,
          u.whatsappSessionUpdated.session.qr?.value,
        ]),
      ).toEqual([
        ['SCAN_QR_CODE', 'unblock'],
        ['SCAN_QR_CODE', 'written-on-a'],
        ['WORKING', undefined],
      ]);
      stream.dispose();
    } finally {
      await ws.dispose();
    }
  });

  it('answers a create on replica B with the QR n8n reports to replica A', async () => {
    const created = b.gql<{
      createWhatsappSession: { id: string; status: string; qr: { value: string } | null };
    }>(CREATE, { input: { displayName: 'Created on B' } }, { token });
    const id = await sessionIdNamed(a, token, 'Created on B');
    await report(a, 'reportQr', { sessionId: id, value: 'reported-to-a' });
    const result = await created;
    expect(result.data!.createWhatsappSession).toMatchObject({
      id,
      status: 'SCAN_QR_CODE',
      qr: { value: 'reported-to-a' },
    });
  });

  it('shares one Redis subscription per channel across sockets', async () => {
    const realtime = b.app.get(RealtimeService);
    const before = realtime.channelCount;
    const sockets = Array.from({ length: 5 }, () => graphqlWsClient(b, token));
    const list = `subscription { whatsappSessionsUpdated { deleted } }`;
    const streams = sockets.map((ws) => subscribeWs(ws, list));
    let n = 0;
    const target = await createAnswered(a, 'Shared', 'shared-qr');
    await eventually(async () => {
      await a.gql(RENAME, { id: target, name: `Shared ${++n}` }, { token });
      expect(streams.map((s) => s.collected.items.length)).not.toContain(0);
    });
    // One tenant channel for all five sockets (and at most the one this test started with).
    expect(realtime.channelCount - before).toBeLessThanOrEqual(1);
    expect(realtime.channelCount).toBeGreaterThanOrEqual(1);
    for (const s of streams) s.dispose();
    await Promise.all(sockets.map((ws) => ws.dispose()));
  });
});

describe('Redis stopped mid-stream (a redis-server of its own)', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await startTestApp({ REDIS_URL: redis.url, CREATE_QR_WAIT_MS: '0' });
    token = await t.token('acme');
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('keeps queries and mutations working while Redis is down, and the subscription resumes once it is back', async () => {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName: 'Resilient' } },
      { token },
    );
    const id = created.data!.createWhatsappSession.id;
    const ws = graphqlWsClient(t, token);
    try {
      const stream = subscribeWs<Updated>(ws, SESSION_UPDATED, { id });
      await stream.collected.until((items) => items.length === 1);
      await report(t, 'reportQr', { sessionId: id, value: 'before-outage' });
      await stream.collected.until((items) => items.length === 2);

      await redis.stop();
      // Queries, mutations and n8n's write-backs go on without Redis (their events are lost).
      const renamed = await t.gql(RENAME, { id, name: 'Resilient, renamed' }, { token });
      expect(codesOf(renamed)).toEqual([]);
      await report(t, 'reportQr', { sessionId: id, value: 'during-outage' });
      const listed = await t.gql<{ whatsappSessions: { edges: { node: { displayName: string } }[] } }>(
        LIST,
        {},
        { token },
      );
      expect(listed.data!.whatsappSessions.edges.map((e) => e.node.displayName)).toEqual([
        'Resilient, renamed',
      ]);
      const another = await t.gql(CREATE, { input: { displayName: 'Made in the outage' } }, { token });
      expect(codesOf(another)).toEqual([]);

      await redis.start();
      // Once ioredis has reconnected and re-subscribed, write-backs reach the open socket again.
      let n = 0;
      await eventually(async () => {
        await report(t, 'reportQr', { sessionId: id, value: `after-outage-${++n}` });
        expect(stream.collected.items.map((u) => u.whatsappSessionUpdated.session.qr?.value)).toContainEqual(
          expect.stringMatching(/^after-outage/),
        );
      });
      const values = stream.collected.items.map((u) => u.whatsappSessionUpdated.session.qr?.value ?? null);
      expect(values.slice(0, 2)).toEqual([null, 'before-outage']);
      expect(values).not.toContain('during-outage');
      expect(stream.collected.completed).toBe(false);
      expect(stream.collected.errors).toEqual([]);
      stream.dispose();
    } finally {
      await ws.dispose();
    }
  });
});
