import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { graphqlWsClient, SESSIONS_UPDATED, subscribeWs, wsUrl } from '../realtime/support.js';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { CREATE } from '../whatsapp-sessions/sessions.fragments.js';
import { createKey, REVOKE_KEY, SESSIONS } from './api-keys.support.js';

/** A raw graphql-ws socket: connection_init with `authorization`, and what the server answers. */
async function openSocket(t: TestApp, authorization: string) {
  const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws');
  const messages: { type: string; id?: string; payload?: unknown }[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
  const closed = once(socket, 'close').then(([code, reason]) => ({
    code: code as number,
    reason: String(reason as Buffer),
  }));
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
  /** Resolves with the server's first answer (connection_ack), or when it closes instead. */
  const answered = Promise.race([once(socket, 'message'), closed]);
  return { socket, messages, closed, answered };
}

/**
 * Keys over graphql-ws, and revocation across replicas: two apps on one database (and one
 * Redis), as two replicas behind a load balancer.
 */
describe('tenant API keys over graphql-ws and across replicas', () => {
  let one: TestApp;
  let two: TestApp;
  let admin: string;

  beforeAll(async () => {
    one = await startTestApp({ REDIS_URL: process.env['TEST_REDIS_URL'] ?? '' });
    two = await startTestApp({ REDIS_URL: process.env['TEST_REDIS_URL'] ?? '' }, one.db);
    admin = await one.token('ws-keys-co');
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('authenticates a socket with a key in connection_init and serves its subscriptions', async () => {
    const { secret } = await createKey(one, admin, ['read']);
    const client = graphqlWsClient(one, secret);
    const sub = subscribeWs<{ whatsappSessionsUpdated: { session: { displayName: string } } }>(
      client,
      SESSIONS_UPDATED,
    );
    try {
      // Each create is an event; repeated until the subscription (live once subscribed) hears one.
      let n = 0;
      await (async () => {
        while (
          !sub.collected.items.some((i) => i.whatsappSessionsUpdated.session.displayName.startsWith('WS key'))
        ) {
          await one.gql(CREATE, { input: { displayName: `WS key ${n++}` } }, { token: admin });
          await new Promise((resolve) => setTimeout(resolve, 200));
          if (sub.collected.errors.length > 0) throw new Error(JSON.stringify(sub.collected.errors));
        }
      })();
    } finally {
      sub.dispose();
      await client.dispose();
    }
  });

  it('refuses a subscription outside the key’s scopes with INSUFFICIENT_SCOPE', async () => {
    const { secret } = await createKey(one, admin, ['send']);
    const client = graphqlWsClient(one, secret);
    const sub = subscribeWs(client, SESSIONS_UPDATED);
    try {
      await sub.collected.settled();
      expect(sub.collected.errors.flat()).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'INSUFFICIENT_SCOPE' }) }),
      ]);
    } finally {
      sub.dispose();
      await client.dispose();
    }
  });

  it('refuses a socket whose key was revoked, at connection_init (4403)', async () => {
    const { secret, apiKey } = await createKey(one, admin, ['read']);
    await one.gql(REVOKE_KEY, { id: apiKey.id }, { token: admin });
    const socket = await openSocket(two, `Bearer ${secret}`);
    expect(await socket.closed).toEqual({
      code: CloseCode.Forbidden,
      reason: 'Forbidden: The API key has been revoked',
    });
    expect(socket.messages).toEqual([]);
  });

  it('is refused at once by another replica after revocation: HTTP, and an open socket is closed', async () => {
    const { secret, apiKey } = await createKey(one, admin, ['read']);
    expect(codesOf(await two.gql(SESSIONS, {}, { token: secret }))).toEqual([]);
    const socket = await openSocket(two, `Bearer ${secret}`);
    await socket.answered;
    expect(socket.messages).toEqual([{ type: 'connection_ack' }]);
    socket.socket.send(
      JSON.stringify({
        type: 'subscribe',
        id: '1',
        payload: { query: 'subscription { whatsappSessionsUpdated { deleted } }' },
      }),
    );

    const revoked = await one.gql<{ revokeApiKey: { revokedAt: string } }>(
      REVOKE_KEY,
      { id: apiKey.id },
      { token: admin },
    );
    expect(revoked.data!.revokeApiKey.revokedAt).toEqual(expect.any(String));
    // The very next request on the other replica is refused: nothing cached there.
    const refused = await two.gql(SESSIONS, {}, { token: secret });
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: 'The API key has been revoked',
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
    expect(await socket.closed).toEqual({
      code: CloseCode.Forbidden,
      reason: 'Forbidden: the API key no longer works',
    });
    // The subscription ended with the socket, without an error sent on it.
    expect(socket.messages.map((m) => m.type)).toEqual(['connection_ack']);

    // Idempotent: revoking again answers the same revocation.
    const again = await two.gql<{ revokeApiKey: { revokedAt: string } }>(
      REVOKE_KEY,
      { id: apiKey.id },
      { token: admin },
    );
    expect(again.data!.revokeApiKey.revokedAt).toBe(revoked.data!.revokeApiKey.revokedAt);
  });
});
