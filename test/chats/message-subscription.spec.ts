import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';

const MESSAGES = `subscription($sessionId: ID!, $chatId: ID) {
  whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) {
    message { id wahaId chatId body direction fromMe timestamp status }
    chat { id chatId unreadCount lastMessage { id } }
    replaces
  }
}`;

interface Event {
  whatsappMessageUpserted: {
    message: {
      id: string;
      wahaId: string | null;
      chatId: string;
      body: string;
      direction: string;
      fromMe: boolean;
    };
    chat: { id: string; chatId: string; unreadCount: number; lastMessage: { id: string } | null };
    replaces: string[];
  };
}

/** New messages reach the dashboard live, only its own tenant's, only the session and chat it asked for. */
describe('live messages', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let a: LinkedSession;
  let b: LinkedSession;

  /** Events published before a subscription is in place are not replayed: wait for it, not for a while. */
  const subscribed = (listeners: number) =>
    eventually(() => expect(t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(listeners));

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'live-a' });
    ({ t, session: a } = f);
    b = await f.link('live-b');
  });
  afterAll(async () => {
    await f?.close();
  });

  it("delivers a session's inbound messages, filtered by chat, with the chat as the list shows it", async () => {
    const client = graphqlWsClient(t, a.token);
    const all = subscribeWs<Event>(client, MESSAGES, { sessionId: a.id });
    const oneChat = subscribeWs<Event>(client, MESSAGES, { sessionId: a.id, chatId: '4917000000002@c.us' });
    try {
      await subscribed(2);
      const now = Math.floor(Date.now() / 1000);
      expect(
        (await f.deliver('message', inboundMessage(a, '4917000000001@c.us', 'hello one', now))).status,
      ).toBe(200);
      expect(
        (await f.deliver('message', inboundMessage(a, '4917000000002@c.us', 'hello two', now + 1))).status,
      ).toBe(200);
      await all.collected.until((items) => items.length >= 2);
      await oneChat.collected.until((items) => items.length >= 1);

      expect(all.collected.items.map((e) => e.whatsappMessageUpserted.message.body)).toEqual([
        'hello one',
        'hello two',
      ]);
      const [first] = all.collected.items;
      expect(first!.whatsappMessageUpserted).toMatchObject({
        message: {
          id: expect.stringMatching(/^wm_/),
          wahaId: expect.stringMatching(/^false_4917000000001@c\.us_/),
          chatId: '4917000000001@c.us',
          direction: 'INBOUND',
          fromMe: false,
        },
        chat: { id: expect.stringMatching(/^wc_/), chatId: '4917000000001@c.us', unreadCount: 1 },
        replaces: [],
      });
      expect(first!.whatsappMessageUpserted.chat.lastMessage?.id).toBe(
        first!.whatsappMessageUpserted.message.id,
      );
      expect(oneChat.collected.items.map((e) => e.whatsappMessageUpserted.message.body)).toEqual([
        'hello two',
      ]);
    } finally {
      all.dispose();
      oneChat.dispose();
      await client.dispose();
    }
  });

  it("never lets tenant B hear tenant A's messages, even with A's session id", async () => {
    // The previous test's subscriptions are gone first, so the count below is this test's own.
    await eventually(() => expect(t.app.get(RealtimeService).listenerCount).toBe(0));
    const client = graphqlWsClient(t, b.token);
    const guessed = subscribeWs<Event>(client, MESSAGES, { sessionId: a.id });
    const own = subscribeWs<Event>(client, MESSAGES, { sessionId: b.id });
    try {
      await guessed.collected.until(() => guessed.collected.errors.length > 0);
      expect(JSON.stringify(guessed.collected.errors)).toContain('NOT_FOUND');
      await subscribed(1);
      const now = Math.floor(Date.now() / 1000);
      await f.deliver('message', inboundMessage(a, '4917000000003@c.us', 'for A only', now));
      await f.deliver('message', inboundMessage(b, '4917000000004@c.us', 'for B', now), { session: b });
      await own.collected.until((items) => items.length >= 1);
      expect(own.collected.items.map((e) => e.whatsappMessageUpserted.message.body)).toEqual(['for B']);
      expect(guessed.collected.items).toEqual([]);
    } finally {
      guessed.dispose();
      own.dispose();
      await client.dispose();
    }
  });
});
