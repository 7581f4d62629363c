import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { eventually } from '../support/eventually.js';
import { internalGql } from '../support/internal-api.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import { REPORT_CONTACT_IDS } from './support/outbound-api.js';

const PHONE_ID = '4917000000851@c.us';
const LID = '88000000000851@lid';
const CHATS = `query($s: ID!) { chats(sessionId: $s) { edges { node { id chatId chatIds } } } }`;
const UPSERTED = `subscription($s: ID!) { whatsappMessageUpserted(sessionId: $s) {
  chat { id chatIds } replaces replacesChats } }`;
const NODE = `query($id: ID!) { node(id: $id) { id } }`;

interface Event {
  whatsappMessageUpserted: {
    chat: { id: string; chatIds: string[] };
    replaces: string[];
    replacesChats: string[];
  };
}
interface ChatView {
  id: string;
  chatId: string;
  chatIds: string[];
}

/**
 * When WAHA tells that a phone number and a LID are one person, their two chats become one and
 * the younger chat's id is gone: the live event says which id to drop (`replacesChats`), so a
 * dashboard's cache does not keep a chat that no longer exists.
 */
describe('a merge of one person’s two chats, as a dashboard hears it', () => {
  let f: LinkedSessionFixture;
  let s: LinkedSession;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'merge-co' });
    s = f.session;
    const now = Math.floor(Date.now() / 1000);
    expect((await f.deliver('message', inboundMessage(s, PHONE_ID, 'by phone', now))).status).toBe(200);
    expect((await f.deliver('message', inboundMessage(s, LID, 'by lid', now + 1))).status).toBe(200);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('names the merged-away chat in replacesChats; the survivor keeps its id and both WAHA ids', async () => {
    const before = await f.t.gql<{ chats: { edges: { node: ChatView }[] } }>(
      CHATS,
      { s: s.id },
      { token: s.token },
    );
    const chats = before.data!.chats.edges.map((e) => e.node);
    expect(chats.map((c) => c.chatId).sort()).toEqual([PHONE_ID, LID].sort());
    // The older chat (by phone number) survives: dashboards have known it longest.
    const survivor = chats.find((c) => c.chatId === PHONE_ID)!;
    const merged = chats.find((c) => c.chatId === LID)!;

    const client = graphqlWsClient(f.t, s.token);
    const live = subscribeWs<Event>(client, UPSERTED, { s: s.id });
    try {
      // Events published before the subscription is in place are not replayed: wait for it.
      await eventually(() => expect(f.t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      const linked = await internalGql(f.t, REPORT_CONTACT_IDS, {
        input: { sessionId: s.id, lid: LID, phoneId: PHONE_ID },
      });
      expect(linked.errors).toBeUndefined();
      const [event] = await live.collected.until((items) => items.length >= 1);
      expect(event!.whatsappMessageUpserted).toMatchObject({
        chat: { id: survivor.id, chatIds: expect.arrayContaining([PHONE_ID, LID]) },
        replacesChats: [merged.id],
      });
    } finally {
      live.dispose();
      await client.dispose();
    }

    const after = await f.t.gql<{ chats: { edges: { node: ChatView }[] } }>(
      CHATS,
      { s: s.id },
      { token: s.token },
    );
    expect(after.data!.chats.edges.map((e) => e.node.id)).toEqual([survivor.id]);
    expect((await f.t.gql(NODE, { id: merged.id }, { token: s.token })).data).toEqual({ node: null });
    expect((await f.t.gql(NODE, { id: survivor.id }, { token: s.token })).data).toEqual({
      node: { id: survivor.id },
    });
  });
});
