import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toGlobalId } from '../../src/common/global-ids.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { sql } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import {
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import {
  type ChangedMessage,
  edit,
  engineId,
  MESSAGE_CHANGE_FIELDS,
  message,
  reaction,
  revoke,
} from './support/message-change-events.js';

const UPSERTED = `subscription($sessionId: ID!, $chatId: ID) {
  whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) { message { ${MESSAGE_CHANGE_FIELDS} } chat { id chatId } }
}`;

interface Upserted {
  whatsappMessageUpserted: { message: ChangedMessage; chat: { id: string; chatId: string } };
}

/** A reaction, an edit and a revoke reach the dashboard live on whatsappMessageUpserted, as stored. */
describe('whatsappMessageUpserted after a reaction, an edit and a revoke', () => {
  let f: LinkedSessionFixture;
  let a: LinkedSession;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'changes-live' });
    a = f.session;
  });
  afterAll(async () => {
    await f?.close();
  });

  it('carries the message with its reactions, its edit and its revoke (which hides them), each once', async () => {
    const chat = '4917000000301@c.us';
    const id = engineId();
    const original = message(a, chat, 'see you soon', id);
    expect((await f.deliver('message', original)).status).toBe(200);

    const client = graphqlWsClient(f.t, a.token);
    const live = subscribeWs<Upserted>(client, UPSERTED, { sessionId: a.id, chatId: chat });
    try {
      await eventually(() => expect(f.t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      const t0 = Date.now() - 10_000;
      await f.deliver('message.reaction', reaction(a, original.id, '👋'), { timestamp: t0 });
      // An older reaction of the same sender, delivered after it: stored, not applied, not published.
      const older = await f.deliver('message.reaction', reaction(a, original.id, '🙈'), {
        timestamp: t0 - 500,
      });
      expect(older.body).toMatchObject({ reason: "the sender's newer reaction was already applied" });
      await f.deliver('message.edited', edit(a, chat, id, 'see you at 5'), { timestamp: t0 + 1000 });
      await f.deliver('message.revoked', revoke(a, chat, id), { timestamp: t0 + 2000 });
      const items = await live.collected.until((received) => received.length >= 3);
      // Our ids of the message and its chat, as the rows key them.
      const [keys] = await sql<{ message: string; chat: string }>(
        f.t,
        `select id as message, chat_id as chat from messages where session_id = ? and waha_id = ?`,
        [a.id, original.id],
      );
      const ids = {
        chat: { id: toGlobalId('WhatsappChat', keys!.chat), chatId: chat },
        message: { id: toGlobalId('WhatsappMessage', keys!.message), wahaId: original.id },
      };

      const reacted = {
        senderId: chat,
        fromMe: false,
        reaction: '👋',
        timestamp: new Date(t0).toISOString(),
      };
      expect(items.map((item) => item.whatsappMessageUpserted)).toEqual([
        {
          chat: ids.chat,
          message: {
            ...ids.message,
            body: 'see you soon',
            editedAt: null,
            previousBody: null,
            revokedAt: null,
            reactions: [reacted],
          },
        },
        {
          chat: ids.chat,
          message: {
            ...ids.message,
            body: 'see you at 5',
            editedAt: new Date(t0 + 1000).toISOString(),
            previousBody: 'see you soon',
            revokedAt: null,
            reactions: [reacted],
          },
        },
        {
          chat: ids.chat,
          message: {
            ...ids.message,
            body: null,
            editedAt: new Date(t0 + 1000).toISOString(),
            previousBody: null,
            revokedAt: new Date(t0 + 2000).toISOString(),
            reactions: [],
          },
        },
      ]);
      // Nothing else was published (the older reaction would have come between the first two).
      await live.collected.until((received) => received.length >= 3);
      expect(live.collected.items).toHaveLength(3);
    } finally {
      live.dispose();
      await client.dispose();
    }
  });
});
