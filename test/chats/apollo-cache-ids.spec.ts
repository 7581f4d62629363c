/**
 * The ids a dashboard's cache trusts, through the dashboard's own client: Apollo Client with its
 * default InMemoryCache (normalizing by `__typename:id`, no type policies) over graphql-ws.
 *
 * Before issue 14 a chat's id was WAHA's chat id, the same for every session of the tenant that
 * talks to one number: the second session's chat list overwrote the first's in the cache, so a
 * dashboard showing both lines showed one contact's messages under the wrong number. Group
 * members had the same problem across groups (WAHA's member id as `id`, a role per group).
 */
import { gql } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apolloClient } from '../realtime/support.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { eventually } from '../support/eventually.js';
import { internalGql } from '../support/internal-api.js';
import {
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { commandsOf, REFRESH_GROUP, reportGroup, UPSERT_CHATS } from './support/outbound-api.js';

const CONTACT = '4917000000777@c.us';
const MEMBER = '4917000000778@c.us';
const CHATS = gql`
  query ($sessionId: ID!) {
    chats(sessionId: $sessionId, first: 10) {
      edges {
        node {
          id
          chatId
          sessionId
          unreadCount
          participants {
            wahaId
            role
          }
          lastMessage {
            id
            body
          }
        }
      }
    }
  }
`;
const UPSERTED = `subscription($sessionId: ID!) { whatsappMessageUpserted(sessionId: $sessionId) {
  message { id body } chat { id chatId sessionId unreadCount lastMessage { id body } } } }`;

interface ChatView {
  id: string;
  chatId: string;
  sessionId: string;
  unreadCount: number;
  participants: { wahaId: string; role: string | null }[] | null;
  lastMessage: { id: string; body: string | null } | null;
}
interface Chats {
  chats: { edges: { node: ChatView }[] };
}

describe('Apollo Client’s default cache keeps two sessions’ chats with one contact apart', () => {
  let f: LinkedSessionFixture;
  let a: LinkedSession;
  let b: LinkedSession;
  let dashboard: ReturnType<typeof apolloClient>;

  /** The session's chats as the dashboard's cache holds them now (no request). */
  const cached = (session: LinkedSession) =>
    dashboard.client
      .readQuery<Chats>({ query: CHATS, variables: { sessionId: session.id } })!
      .chats.edges.map((e) => e.node);
  const fetched = async (session: LinkedSession) => {
    const result = await dashboard.client.query<Chats>({
      query: CHATS,
      variables: { sessionId: session.id },
      fetchPolicy: 'network-only',
    });
    return result.data!.chats.edges.map((e) => e.node);
  };

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'two-lines' });
    a = f.session;
    b = await f.link('two-lines', { displayName: 'Second line' });
    // One contact writes to both of the tenant's numbers.
    f.sim.inbound(a.id, { from: CONTACT, body: 'Hi first line' });
    f.sim.inbound(b.id, { from: CONTACT, body: 'Hi second line' });
    // WAHA stamps messages in whole seconds and delivers webhooks unordered: two messages sent
    // in one second may arrive either way round and tie on time. Which one is the chat's last is
    // not what this proves, so the second is sent once the first is stored.
    await webhooksSettled(f.sim, b.id);
    f.sim.inbound(b.id, { from: CONTACT, body: 'Anyone?' });
    await webhooksSettled(f.sim, a.id);
    await webhooksSettled(f.sim, b.id);
    dashboard = apolloClient(f.t, a.token);
  });
  afterAll(async () => {
    await dashboard?.close();
    await f?.close();
  });

  it('shows each session its own chat after both lists were loaded into one cache', async () => {
    const [first] = await fetched(a);
    const [second] = await fetched(b);
    expect(first).toMatchObject({ chatId: CONTACT, sessionId: a.id, unreadCount: 1 });
    expect(second).toMatchObject({ chatId: CONTACT, sessionId: b.id, unreadCount: 2 });
    expect(first!.id).not.toBe(second!.id);
    // Read back from the cache: the second list did not overwrite the first's chat.
    expect(cached(a)).toEqual([first]);
    expect(cached(b)).toEqual([second]);
    expect(cached(a)[0]!.lastMessage!.body).toBe('Hi first line');
    expect(cached(b)[0]!.lastMessage!.body).toBe('Anyone?');
    const chatKeys = Object.keys(dashboard.client.cache.extract() as Record<string, unknown>).filter((key) =>
      key.startsWith('WhatsappChat:'),
    );
    expect(chatKeys.sort()).toEqual([`WhatsappChat:${first!.id}`, `WhatsappChat:${second!.id}`].sort());
  });

  it('updates only the session’s own chat in the cache when a live message arrives', async () => {
    await fetched(a);
    await fetched(b);
    const live = dashboard.subscribe<{ whatsappMessageUpserted: { message: { body: string } } }>(UPSERTED, {
      sessionId: a.id,
    });
    try {
      // Events published before the subscription is in place are not replayed: wait for it.
      await eventually(() => expect(f.t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      f.sim.inbound(a.id, { from: CONTACT, body: 'Still there?' });
      await live.collected.until((items) =>
        items.some((i) => i.whatsappMessageUpserted.message.body === 'Still there?'),
      );
    } finally {
      live.dispose();
    }
    expect(cached(a)[0]).toMatchObject({
      sessionId: a.id,
      unreadCount: 2,
      lastMessage: { body: 'Still there?' },
    });
    expect(cached(b)[0]).toMatchObject({ sessionId: b.id, unreadCount: 2, lastMessage: { body: 'Anyone?' } });
  });

  it('keeps a member’s role per group in the cache: group members carry no id of their own', async () => {
    const groups = ['120363000000000781@g.us', '120363000000000782@g.us'];
    const roles = ['admin', 'participant'];
    const upserted = await internalGql(f.t, UPSERT_CHATS, {
      input: { sessionId: a.id, chats: groups.map((id, i) => ({ id, name: `Group ${i}` })) },
    });
    expect(upserted.errors).toBeUndefined();
    for (const [i, group] of groups.entries()) {
      const queued = await f.t.gql(REFRESH_GROUP, { sessionId: a.id, chatId: group }, { token: a.token });
      expect(queued.errors).toBeUndefined();
      const command = (await commandsOf(f.t, a, 'group.participants')).at(-1)!;
      const report = { sessionId: a.id, commandId: command.id, chatId: group };
      const participants = [{ id: MEMBER, phoneId: MEMBER, role: roles[i] }];
      expect((await reportGroup(f.t, { ...report, participants })).errors).toBeUndefined();
    }
    await fetched(a);
    const shown = cached(a).filter((chat) => groups.includes(chat.chatId));
    expect(shown.map((chat) => [chat.chatId, chat.participants])).toEqual(
      expect.arrayContaining(
        groups.map((group, i) => [group, [expect.objectContaining({ wahaId: MEMBER, role: roles[i] })]]),
      ),
    );
  });
});
