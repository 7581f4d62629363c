/**
 * What a dashboard's own client sees on the paths a person hits, over the service's own
 * graphql-transport-ws transport: Apollo Client (GraphQLWsLink over graphql-ws's createClient),
 * as the README's dashboard example wires it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { apolloClient, report, SESSION_UPDATED, type SessionUpdate } from './support.js';

type Updated = { whatsappSessionUpdated: SessionUpdate };

const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }`;

describe('Apollo Client over the WebSocket transport, unhappy paths', () => {
  let t: TestApp;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    t = await startTestApp();
    tokenA = await t.token('apollo-a');
    tokenB = await t.token('apollo-b');
  });
  afterAll(() => t.close());

  async function createSession(token: string): Promise<string> {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName: `Line ${Math.random().toString(36).slice(2, 8)}` } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    return created.data!.createWhatsappSession.id;
  }

  it("refuses another tenant's session with NOT_FOUND and no stack, and the same socket's other subscription goes on", async () => {
    const own = await createSession(tokenA);
    const theirs = await createSession(tokenB);
    const dashboard = apolloClient(t, tokenA);
    try {
      const refused = dashboard.subscribe<Updated>(SESSION_UPDATED, { id: theirs });
      const live = dashboard.subscribe<Updated>(SESSION_UPDATED, { id: own });
      await refused.collected.settled();
      const [error] = refused.collected.errors as { errors?: { extensions?: Record<string, unknown> }[] }[];
      const graphQLErrors = error?.errors ?? [];
      expect(graphQLErrors.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(refused.collected.errors)).not.toMatch(/stacktrace|\bat .*\.js:\d+/);
      expect(refused.collected.items).toEqual([]);

      await live.collected.until((items) => items.length >= 1);
      await report(t, 'reportQr', { sessionId: own, value: 'qr-after-refusal' });
      const items = await live.collected.until((all) => all.length >= 2);
      expect(items.map((u) => u.whatsappSessionUpdated.session.qr?.value ?? null)).toEqual([
        null,
        'qr-after-refusal',
      ]);
      // Tenant B's session never reached tenant A's socket.
      expect(items.every((u) => u.whatsappSessionUpdated.session.id === own)).toBe(true);
      live.dispose();
    } finally {
      await dashboard.close();
    }
  });

  it('stops sending once the dashboard unsubscribes, and the socket serves a new subscription', async () => {
    const id = await createSession(tokenA);
    const dashboard = apolloClient(t, tokenA);
    try {
      const first = dashboard.subscribe<Updated>(SESSION_UPDATED, { id });
      await first.collected.until((items) => items.length >= 1);
      first.dispose();
      // Sent on the same socket after the first one's `complete`: once its snapshot is here, the
      // server has ended the first subscription.
      const second = dashboard.subscribe<Updated>(SESSION_UPDATED, { id });
      await second.collected.until((items) => items.length >= 1);
      await report(t, 'reportQr', { sessionId: id, value: 'qr-after-unsubscribe' });
      const items = await second.collected.until((all) => all.length >= 2);
      expect(items.map((u) => u.whatsappSessionUpdated.session.qr?.value ?? null)).toEqual([
        null,
        'qr-after-unsubscribe',
      ]);
      expect(first.collected.items.map((u) => u.whatsappSessionUpdated.session.qr?.value ?? null)).toEqual([
        null,
      ]);
      expect(first.collected.errors).toEqual([]);
      second.dispose();
    } finally {
      await dashboard.close();
    }
  });
});
