import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { sql, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import {
  graphqlWsClient,
  OwnRedis,
  SESSION_UPDATED,
  type SessionUpdate,
  subscribeWs,
} from '../realtime/support.js';

/** Far longer than any answer takes; if it fires, the request hung (the bug), and the test fails saying so. */
const HANG_GUARD_MS = 20_000;

/** `work`, or a failure saying what hung if it takes longer than HANG_GUARD_MS. */
async function guarded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not happen: it hangs on Redis`)),
          HANG_GUARD_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function answered(what: string, url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_GUARD_MS) });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError')
      throw new Error(`${what} was not answered: it hangs on Redis`, { cause: error });
    throw error;
  }
}

const CHATS = `query($sessionId: ID!) { chats(sessionId: $sessionId, first: 10) { edges { node { id lastMessage { body } } } } }`;
const VIEWER = `{ viewer { tenant { slug } } }`;
const SEND = `mutation($sessionId: ID!, $to: String!, $text: String!) { sendWhatsappMessage(sessionId: $sessionId, to: $to, text: $text) { id body status } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renameWhatsappSession(id: $id, displayName: $name) { id displayName } }`;

/** The value of one sample of `/metrics` (0 when the series is not there yet). */
async function metric(t: TestApp, series: string): Promise<number> {
  const text = await (await answered('/metrics', `${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('Redis frozen (a SIGSTOPped redis-server: connected, silent)', () => {
  let redis: OwnRedis;
  let linked: LinkedSessionFixture;
  let t: TestApp;
  let s: LinkedSession;
  let spy: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    linked = await startLinkedSession({
      tenant: 'frozen-co',
      env: { REDIS_URL: redis.url, CREATE_QR_WAIT_MS: '0', RATE_LIMIT_PER_MINUTE: '1000' },
    });
    ({ t, session: s } = linked);
    spy = new Redis(redis.url, { maxRetriesPerRequest: null });
    spy.on('error', () => undefined);
  });
  afterAll(async () => {
    redis?.thaw();
    spy?.disconnect();
    try {
      // Bounded, so that a close stuck on Redis still lets this spec kill its own redis-server.
      await Promise.race([
        linked?.close(),
        new Promise((resolve) => setTimeout(resolve, HANG_GUARD_MS).unref()),
      ]);
    } finally {
      await redis?.stop();
    }
  }, 3 * HANG_GUARD_MS);

  async function gql<T>(what: string, query: string, variables: Record<string, unknown> = {}) {
    const response = await answered(what, `${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as { data?: T; errors?: unknown[] }) };
  }

  /** Requests counted in Redis for the tenant, over every window key. */
  async function countedInRedis(): Promise<number> {
    const keys = await spy.keys(`ratelimit:${s.tenantId}:*`);
    const values = keys.length ? await spy.mget(keys) : [];
    return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
  }

  it('answers queries, mutations and signed webhooks with their normal results, then counts in Redis again once it answers', async () => {
    expect(await countedInRedis()).toBeGreaterThan(0); // the limiter counts in Redis while it answers

    redis.freeze();
    try {
      const viewer = await gql<{ viewer: { tenant: { slug: string } } }>('a query', VIEWER);
      expect(viewer).toMatchObject({ status: 200, data: { viewer: { tenant: { slug: 'frozen-co' } } } });
      expect(viewer.errors).toBeUndefined();

      const sent = await gql<{ sendWhatsappMessage: { id: string; body: string; status: string } }>(
        'sendWhatsappMessage',
        SEND,
        { sessionId: s.id, to: '+49 151 22334455', text: 'sent while Redis is frozen' },
      );
      expect(sent.errors).toBeUndefined();
      expect(sent.data!.sendWhatsappMessage).toMatchObject({
        body: 'sent while Redis is frozen',
        status: 'PENDING',
      });
      const [stored] = await sql<{ body: string }>(t, `select body from messages where id = ?`, [
        parseGlobalId(sent.data!.sendWhatsappMessage.id)!.key,
      ]);
      expect(stored?.body).toBe('sent while Redis is frozen');

      // A mutation that publishes the session's change after committing it.
      const renamed = await gql<{ renameWhatsappSession: { displayName: string } }>('a rename', RENAME, {
        id: s.id,
        name: 'Renamed while frozen',
      });
      expect(renamed.errors).toBeUndefined();
      expect(renamed.data!.renameWhatsappSession.displayName).toBe('Renamed while frozen');

      const inbound = inboundMessage(s, '4917012345678@c.us', 'arrived while Redis is frozen', 1_800_000_000);
      const webhook = await guarded(
        'the answer to a signed webhook',
        linked.deliver('message', inbound, { id: 'evt_frozen_1' }),
      );
      expect(webhook.status).toBe(200);

      const chats = await gql<{ chats: { edges: { node: { lastMessage: { body: string } | null } }[] } }>(
        'the chats query',
        CHATS,
        { sessionId: s.id },
      );
      expect(chats.errors).toBeUndefined();
      expect(chats.data!.chats.edges.map((e) => e.node.lastMessage?.body)).toEqual(
        expect.arrayContaining(['arrived while Redis is frozen', 'sent while Redis is frozen']),
      );

      // The fallbacks are counted: the limit was kept in process, the live events were dropped.
      expect(await metric(t, 'whatsapp_hub_redis_fallbacks_total{operation="rate_limit"}')).toBeGreaterThan(
        0,
      );
      expect(await metric(t, 'whatsapp_hub_redis_fallbacks_total{operation="publish"}')).toBeGreaterThan(0);
      expect(await metric(t, 'whatsapp_hub_redis_available')).toBe(0);
    } finally {
      redis.thaw();
    }

    // Once Redis answers again the limiter goes back to it: each request is counted there.
    await eventually(async () => {
      await gql('a query after the thaw', VIEWER);
      expect(await metric(t, 'whatsapp_hub_redis_available')).toBe(1);
    });
    const fallbacks = await metric(t, 'whatsapp_hub_redis_fallbacks_total{operation="rate_limit"}');
    const before = await countedInRedis();
    for (let i = 0; i < 3; i++) expect((await gql('a query after the thaw', VIEWER)).errors).toBeUndefined();
    expect((await countedInRedis()) - before).toBe(3);
    expect(await metric(t, 'whatsapp_hub_redis_fallbacks_total{operation="rate_limit"}')).toBe(fallbacks);
  }, 180_000);

  it('starts a subscription opened while Redis is frozen with its snapshot, and it hears changes once Redis answers', async () => {
    const ws = graphqlWsClient(t, s.token);
    redis.freeze();
    try {
      const stream = subscribeWs<{ whatsappSessionUpdated: SessionUpdate }>(ws, SESSION_UPDATED, {
        id: s.id,
      });
      const [snapshot] = await guarded(
        "the subscription's snapshot",
        stream.collected.until((items) => items.length >= 1),
      );
      expect(snapshot!.whatsappSessionUpdated.session.id).toBe(s.id);
      expect(await metric(t, 'whatsapp_hub_redis_fallbacks_total{operation="subscribe"}')).toBeGreaterThan(0);

      redis.thaw();
      // Its SUBSCRIBE is answered once Redis runs again: a change made after that reaches it.
      let n = 0;
      await eventually(async () => {
        await gql('a rename after the thaw', RENAME, { id: s.id, name: `After the thaw ${++n}` });
        expect(
          stream.collected.items.map((u) => u.whatsappSessionUpdated.session.displayName),
        ).toContainEqual(expect.stringMatching(/^After the thaw/));
      });
      expect(stream.collected.errors).toEqual([]);
      stream.dispose();
    } finally {
      redis.thaw();
      await ws.dispose();
    }
  }, 120_000);
});
