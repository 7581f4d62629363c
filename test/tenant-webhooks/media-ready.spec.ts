import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { toGlobalId } from '../../src/common/global-ids.js';
import { MediaDownloadWorker } from '../../src/chats/media-download.worker.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { seedMessageWithMedia } from '../media/support/seed.js';
import { startWahaFilesServer, type WahaFilesServer } from '../media/support/waha-files-server.js';
import { startReceiver, type Receiver } from './receiver.js';
import { CREATE_ENDPOINT } from './webhook-fragments.js';

/** A received file copied out of WAHA is a media.ready delivery, written with the row that makes it READY. */
describe('tenant webhooks: media.ready', () => {
  let waha: WahaFilesServer;
  let receiver: Receiver;
  let t: TestApp;

  beforeAll(async () => {
    waha = await startWahaFilesServer();
    receiver = await startReceiver();
    t = await startTestApp({
      WAHA_URL: waha.url,
      WAHA_API_KEY: 'waha-key-for-media',
      MEDIA_DOWNLOAD_POLL_INTERVAL_MS: '50',
      TENANT_WEBHOOKS_DISPATCH: 'true',
      TENANT_WEBHOOKS_ALLOWED_PRIVATE_TARGETS: '127.0.0.1',
      TENANT_WEBHOOKS_POLL_INTERVAL_MS: '20',
    });
  });
  afterAll(async () => {
    await t?.close();
    await waha?.close();
    await receiver?.close();
  });

  it('tells the endpoint which message the file belongs to, its type and size', async () => {
    const token = await t.token('media-hooks');
    const created = await t.gql<{ createWebhookEndpoint: { secret: string } }>(
      CREATE_ENDPOINT,
      { input: { url: `${receiver.url}/media`, events: ['MEDIA_READY'] } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    const bytes = randomBytes(5_000);
    waha.route('/api/files/ws/voice.ogg', { kind: 'file', body: bytes, mimetype: 'audio/ogg' });
    const seeded = await seedMessageWithMedia(t, {
      tenant: 'media-hooks',
      media: { url: waha.wahaUrlOf('/api/files/ws/voice.ogg') },
    });
    t.app.get(MediaDownloadWorker).wake();
    await eventually(() => expect(receiver.received('/media')).toHaveLength(1));
    const [request] = receiver.received('/media');
    const event = new Webhook(created.data!.createWebhookEndpoint.secret).verify(
      request!.body,
      request!.headers as Record<string, string>,
    );
    expect(event).toEqual({
      type: 'media.ready',
      timestamp: expect.any(String),
      data: {
        sessionId: seeded.sessionId,
        chatId: seeded.chatId,
        messageId: toGlobalId('WhatsappMessage', seeded.messageId),
        wahaMessageId: seeded.wahaId,
        mediaId: toGlobalId('WhatsappMedia', seeded.mediaId),
        mimetype: 'audio/ogg',
        size: bytes.length,
        timestamp: expect.any(String),
      },
    });
    // The ids are the API's: a receiver fetches the message, and its file, by them.
    const { messageId, mediaId } = (event as { data: { messageId: string; mediaId: string } }).data;
    const found = await t.gql(
      `query($id: ID!) { node(id: $id) { id ... on WhatsappMessage { wahaId media { id state } } } }`,
      { id: messageId },
      { token },
    );
    expect(found.data).toEqual({
      node: { id: messageId, wahaId: seeded.wahaId, media: { id: mediaId, state: 'READY' } },
    });
  });
});
