import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { eventually } from '../support/eventually.js';
import { type LinkedSessionFixture, startLinkedSession } from '../support/linked-session.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { engineId, message, nowSeconds, reaction } from '../webhooks/support/message-change-events.js';
import { internalGql } from '../support/internal-api.js';
import { mediaRow, sendOut } from './support/outbound-api.js';

const UPSERTED = `subscription($sessionId: ID!) {
  whatsappMessageUpserted(sessionId: $sessionId) {
    message { id wahaId ack hasMedia media { id state mimetype } reactions { senderId reaction } }
  }
}`;

interface Shown {
  id: string;
  wahaId: string | null;
  ack: number;
  hasMedia: boolean;
  media: { id: string; state: string; mimetype: string | null } | null;
  reactions: { senderId: string; reaction: string }[];
}
/** n8n names a message by its row key (the command's messageId). */
const rowKey = (id: string) => parseGlobalId(id)!.key;

interface Upserted {
  whatsappMessageUpserted: { message: Shown };
}

/**
 * A live event replaces the message in a dashboard's cache (Apollo Client merges by id), so every
 * event carries the whole message: an ack that arrives after a reaction, on a message with a
 * file, must not show "no file, no reactions".
 */
describe('whatsappMessageUpserted carries the whole message, whichever write published it', () => {
  let f: LinkedSessionFixture;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'events-whole', env: { MEDIA_DOWNLOADS: 'false' } });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('keeps the file and the reactions on the events of later acks, in the order they were stored', async () => {
    const a = f.session;
    const chat = '4917000000401@c.us';
    const id = engineId();
    const photo = {
      ...message(a, chat, 'a photo', id),
      hasMedia: true,
      media: {
        url: 'http://127.0.0.1:9/api/files/x/photo.png',
        mimetype: 'image/png',
        filename: null,
        error: null,
      },
      _data: { type: 'image' },
    };
    expect((await f.deliver('message', photo)).status).toBe(200);

    const client = graphqlWsClient(f.t, a.token);
    const live = subscribeWs<Upserted>(client, UPSERTED, { sessionId: a.id });
    try {
      await eventually(() => expect(f.t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      expect((await f.deliver('message.reaction', reaction(a, photo.id, '👍'))).status).toBe(200);
      for (const ack of [2, 3]) {
        const acked = await f.deliver('message.ack', { id: photo.id, ack, timestamp: nowSeconds() });
        expect(acked.status).toBe(200);
      }
      const items = await live.collected.until((received) => received.length >= 3);
      const shown = items.map((item) => item.whatsappMessageUpserted.message);
      expect(shown.map((m) => m.ack)).toEqual([1, 2, 3]);
      // One message, under one id a cache merges by.
      expect(new Set(shown.map((m) => m.id)).size).toBe(1);
      for (const m of shown) {
        expect(m).toMatchObject({
          id: expect.stringMatching(/^wm_/),
          wahaId: photo.id,
          hasMedia: true,
          media: { state: 'PENDING', mimetype: 'image/png' },
          reactions: [{ senderId: chat, reaction: '👍' }],
        });
      }
    } finally {
      live.dispose();
      await client.dispose();
    }
  });

  it("keeps a sent file on the events of n8n's SENT and FAILED reports", async () => {
    const a = f.session;
    const mediaId = await mediaRow(f.t, a, { mimetype: 'image/jpeg' });
    const sent = await sendOut(f.t, a, { to: '4917000000402@c.us', text: 'our menu', mediaId });
    expect(sent.errors).toBeUndefined();
    const failed = await sendOut(f.t, a, { to: '4917000000402@c.us', text: 'again', mediaId });
    expect(failed.errors).toBeUndefined();

    const client = graphqlWsClient(f.t, a.token);
    const live = subscribeWs<Upserted>(client, UPSERTED, { sessionId: a.id });
    try {
      await eventually(() => expect(f.t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      const wahaId = `true_4917000000402@c.us_${engineId()}`;
      const reports = [
        internalGql(
          f.t,
          `mutation($input: ReportMessageSentInput!) { reportMessageSent(input: $input) { id } }`,
          { input: { messageId: rowKey(sent.data!.sendWhatsappMessage.id), wahaMessageId: wahaId } },
        ),
        internalGql(
          f.t,
          `mutation($input: ReportMessageFailedInput!) { reportMessageFailed(input: $input) { id } }`,
          { input: { messageId: rowKey(failed.data!.sendWhatsappMessage.id), reason: 'WAHA refused it' } },
        ),
      ];
      for (const report of await Promise.all(reports)) expect(report.errors).toBeUndefined();
      const items = await live.collected.until((received) => received.length >= 2);
      for (const item of items) {
        expect(item.whatsappMessageUpserted.message.media).toMatchObject({ id: mediaId, state: 'READY' });
      }
    } finally {
      live.dispose();
      await client.dispose();
    }
  });
});
