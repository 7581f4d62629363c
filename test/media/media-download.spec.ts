import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toGlobalId } from '../../src/common/global-ids.js';
import { MediaDownloadWorker } from '../../src/chats/media-download.worker.js';
import { type MessageUpsertedPayload } from '../../src/chats/message-events.js';
import { failureCodeOf, MediaFailure } from '../../src/media/media-failures.js';
import { MEDIA_STORE, type MediaStore } from '../../src/media/media-store.js';
import { wahaFileUrl } from '../../src/media/waha-files.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { Topic } from '../../src/realtime/topics.js';
import { type EventStream } from '../../src/realtime/event-stream.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { http } from './support/http.js';
import { mediaRow, seedMessageWithMedia } from './support/seed.js';
import { startWahaFilesServer, type WahaFilesServer } from './support/waha-files-server.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MAX_BYTES = 64 * 1024;

/** Downloads against a real HTTP server serving files as WAHA does, into the local store. */
describe('media download job', () => {
  let waha: WahaFilesServer;
  let t: TestApp;
  let store: MediaStore;
  let events: EventStream<MessageUpsertedPayload>;
  const received: MessageUpsertedPayload[] = [];
  let tenantId: string;

  beforeAll(async () => {
    waha = await startWahaFilesServer();
    t = await startTestApp({
      WAHA_URL: waha.url,
      WAHA_API_KEY: 'waha-key-for-media',
      MEDIA_MAX_BYTES: String(MAX_BYTES),
      MEDIA_DOWNLOAD_MAX_ATTEMPTS: '3',
      MEDIA_DOWNLOAD_BASE_BACKOFF_MS: '20',
      MEDIA_DOWNLOAD_MAX_BACKOFF_MS: '50',
      MEDIA_DOWNLOAD_POLL_INTERVAL_MS: '50',
    });
    store = t.app.get<MediaStore>(MEDIA_STORE);
    tenantId = (await seedMessageWithMedia(t, { tenant: 'media-dl', media: { url: null } })).tenantId;
    events = t.app.get(RealtimeService).subscribe<MessageUpsertedPayload>(Topic.MESSAGE_UPSERTED, tenantId);
    await events.live;
    void (async () => {
      for await (const event of events) received.push(event);
    })();
  });

  afterAll(async () => {
    await events?.return();
    await t?.close();
    await waha?.close();
  });

  async function seed(path: string, media: Record<string, unknown> = {}) {
    const seeded = await seedMessageWithMedia(t, {
      tenant: 'media-dl',
      media: { url: waha.wahaUrlOf(path), ...media },
    });
    t.app.get(MediaDownloadWorker).wake();
    return seeded;
  }

  const pushedFor = (wahaId: string) => received.filter((event) => event.message.wahaId === wahaId);

  it("copies a file from WAHA's URL rebased on WAHA_URL, with the API key, and pushes the message READY", async () => {
    const bytes = randomBytes(20_000);
    waha.route('/api/files/ws/photo.jpeg', { kind: 'file', body: bytes, mimetype: 'image/jpeg' });
    const { mediaId, wahaId } = await seed('/api/files/ws/photo.jpeg', { filename: 'holiday.jpeg' });

    const row = await eventually(async () => {
      const current = await mediaRow(t, mediaId);
      expect(current.state).toBe('READY');
      return current;
    });
    expect(row).toMatchObject({
      attempts: 1,
      size: String(bytes.length),
      sha256: sha256(bytes),
      mimetype: 'image/jpeg',
      filename: 'holiday.jpeg',
      failure_reason: null,
      storage_key: `${tenantId}/${mediaId}`,
    });
    expect(sha256(await buffer(await store.get(row.storage_key!)))).toBe(sha256(bytes));
    expect(waha.requests.filter((r) => r.path === '/api/files/ws/photo.jpeg')).toEqual([
      { path: '/api/files/ws/photo.jpeg', apiKey: 'waha-key-for-media' },
    ]);
    const pushed = await eventually(() => {
      const [event] = pushedFor(wahaId);
      expect(event?.message.media?.state).toBe('READY');
      return event!;
    });
    expect(pushed.message.media).toEqual({
      id: toGlobalId('WhatsappMedia', mediaId),
      state: 'READY',
      mimetype: 'image/jpeg',
      filename: 'holiday.jpeg',
      size: bytes.length,
      sha256: sha256(bytes),
      failureReason: null,
    });
    expect(pushed.message.hasMedia).toBe(true);
  });

  it("takes the mimetype and filename from WAHA's answer when its WAMedia named none", async () => {
    waha.route('/api/files/ws/doc', {
      kind: 'file',
      body: Buffer.from('%PDF-1.7 tiny'),
      mimetype: 'application/pdf',
      filename: 'contract.pdf',
    });
    const { mediaId } = await seed('/api/files/ws/doc');
    await eventually(async () =>
      expect(await mediaRow(t, mediaId)).toMatchObject({
        state: 'READY',
        mimetype: 'application/pdf',
        filename: 'contract.pdf',
      }),
    );
  });

  it('fails a file WAHA no longer has (404) at once, MEDIA_EXPIRED, and pushes it', async () => {
    const { mediaId, wahaId } = await seed('/api/files/ws/expired.ogg');
    const row = await eventually(async () => {
      const current = await mediaRow(t, mediaId);
      expect(current.state).toBe('FAILED');
      return current;
    });
    expect(row.attempts).toBe(1);
    expect(failureCodeOf(row.failure_reason)).toBe(MediaFailure.MEDIA_EXPIRED);
    expect(row.failure_reason).toBe(
      'MEDIA_EXPIRED: expired in WAHA before it could be copied (WAHA answered HTTP 404)',
    );
    await eventually(() =>
      expect(pushedFor(wahaId).map((event) => event.message.media)).toContainEqual(
        expect.objectContaining({
          id: toGlobalId('WhatsappMedia', mediaId),
          state: 'FAILED',
          failureReason: row.failure_reason,
        }),
      ),
    );
  });

  it('retries a 5xx with backoff and stores the file once WAHA gives it', async () => {
    const bytes = randomBytes(3000);
    waha.route('/api/files/ws/voice.ogg', {
      kind: 'flaky',
      failures: 2,
      status: 500,
      body: bytes,
      mimetype: 'audio/ogg; codecs=opus',
    });
    const { mediaId, wahaId } = await seed('/api/files/ws/voice.ogg', { mimetype: 'audio/ogg; codecs=opus' });
    const row = await eventually(async () => {
      const current = await mediaRow(t, mediaId);
      expect(current.state).toBe('READY');
      return current;
    });
    expect(row).toMatchObject({ attempts: 3, sha256: sha256(bytes), mimetype: 'audio/ogg; codecs=opus' });
    expect(waha.requests.filter((r) => r.path === '/api/files/ws/voice.ogg')).toHaveLength(3);
    // Pushed when it became READY, not for the attempts that failed.
    await eventually(() =>
      expect(pushedFor(wahaId).map((event) => event.message.media?.state)).toEqual(['READY']),
    );
  });

  it('gives up after MEDIA_DOWNLOAD_MAX_ATTEMPTS, MEDIA_UNAVAILABLE with the last error', async () => {
    waha.route('/api/files/ws/down.mp4', { kind: 'status', status: 503 });
    const { mediaId } = await seed('/api/files/ws/down.mp4');
    const row = await eventually(async () => {
      const current = await mediaRow(t, mediaId);
      expect(current.state).toBe('FAILED');
      return current;
    });
    expect(row.attempts).toBe(3);
    expect(row.failure_reason).toBe(
      'MEDIA_UNAVAILABLE: WAHA did not give the file in 3 attempts; the last: WAHA answered HTTP 503',
    );
    expect(waha.requests.filter((r) => r.path === '/api/files/ws/down.mp4')).toHaveLength(3);
  });

  it('fails a file larger than MEDIA_MAX_BYTES, said up front or found while streaming, keeping nothing', async () => {
    waha.route('/api/files/ws/big.mp4', { kind: 'file', body: randomBytes(MAX_BYTES + 1) });
    waha.route('/api/files/ws/big-chunked.mp4', { kind: 'chunked', body: randomBytes(MAX_BYTES * 2) });
    const declared = await seed('/api/files/ws/big.mp4');
    const streamed = await seed('/api/files/ws/big-chunked.mp4');
    for (const { mediaId } of [declared, streamed]) {
      const row = await eventually(async () => {
        const current = await mediaRow(t, mediaId);
        expect(current.state).toBe('FAILED');
        return current;
      });
      expect({
        code: failureCodeOf(row.failure_reason),
        attempts: row.attempts,
        key: row.storage_key,
      }).toEqual({
        code: MediaFailure.MEDIA_TOO_LARGE,
        attempts: 1,
        key: null,
      });
      await expect(store.get(`${tenantId}/${mediaId}`)).rejects.toThrow('has no object');
    }
  });

  it("pushes READY to a dashboard's subscription with a downloadUrl that serves the file", async () => {
    const bytes = randomBytes(4000);
    waha.route('/api/files/ws/live.jpeg', { kind: 'file', body: bytes, mimetype: 'image/jpeg' });
    const { sessionId, wahaId } = await seedMessageWithMedia(t, {
      tenant: 'media-dl',
      media: { url: waha.wahaUrlOf('/api/files/ws/live.jpeg') },
      nextAttemptAt: new Date(Date.now() + 3_600_000),
    });
    const client = graphqlWsClient(t, await t.token('media-dl'));
    type Event = {
      whatsappMessageUpserted: {
        message: { wahaId: string; media: { state: string; downloadUrl: string | null } };
      };
    };
    const { collected, dispose } = subscribeWs<Event>(
      client,
      `subscription($sessionId: ID!) { whatsappMessageUpserted(sessionId: $sessionId) { message { wahaId media { state downloadUrl } } } }`,
      { sessionId },
    );
    try {
      // Due once the subscription is live (a push before it would not reach it).
      await eventually(async () => {
        expect(t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(2);
      });
      await sql(t, `update media set next_attempt_at = now() where source_url like '%/live.jpeg'`);
      t.app.get(MediaDownloadWorker).wake();
      const [event] = await collected.until((items) =>
        items.some((item) => item.whatsappMessageUpserted.message.wahaId === wahaId),
      );
      const { media } = event!.whatsappMessageUpserted.message;
      expect(media.state).toBe('READY');
      const file = await http(media.downloadUrl!);
      expect({ status: file.status, sha: sha256(file.body) }).toEqual({ status: 200, sha: sha256(bytes) });
    } finally {
      dispose();
      await client.dispose();
    }
  });

  it('takes over a job whose replica died mid-download once its lease has run out', async () => {
    const bytes = randomBytes(1000);
    waha.route('/api/files/ws/orphan.jpeg', { kind: 'file', body: bytes, mimetype: 'image/jpeg' });
    const { mediaId } = await seedMessageWithMedia(t, {
      tenant: 'media-dl',
      media: { url: waha.wahaUrlOf('/api/files/ws/orphan.jpeg') },
      // Not due until the line below makes it look claimed, so no worker takes it first.
      nextAttemptAt: new Date(Date.now() + 3_600_000),
    });
    // As a replica leaves it when it dies: claimed (one attempt), leased until a moment ago.
    await sql(
      t,
      `update media set attempts = 1, next_attempt_at = now(), locked_until = now() - interval '1 second'
        where id = ? and state = 'PENDING'`,
      [mediaId],
    );
    await eventually(async () =>
      expect(await mediaRow(t, mediaId)).toMatchObject({
        state: 'READY',
        attempts: 2,
        sha256: sha256(bytes),
      }),
    );
  });
});

describe('two replicas', () => {
  let waha: WahaFilesServer;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    waha = await startWahaFilesServer();
    const env = { WAHA_URL: waha.url, MEDIA_DOWNLOAD_POLL_INTERVAL_MS: '20' };
    first = await startTestApp(env);
    second = await startTestApp(env, first.db);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await waha?.close();
  });

  it('never fetch the same file at once: each file is fetched once, by one of them', async () => {
    const seeded = [];
    for (let i = 0; i < 6; i++) {
      const path = `/api/files/ws/slow-${i}.jpeg`;
      // Slow enough that both replicas poll several times while it downloads.
      waha.route(path, { kind: 'file', body: randomBytes(500), delayMs: 300 });
      seeded.push({
        path,
        ...(await seedMessageWithMedia(first, {
          tenant: 'two-replicas',
          media: { url: waha.wahaUrlOf(path) },
        })),
      });
    }
    first.app.get(MediaDownloadWorker).wake();
    second.app.get(MediaDownloadWorker).wake();
    for (const { mediaId } of seeded) {
      await eventually(async () =>
        expect(await mediaRow(first, mediaId)).toMatchObject({ state: 'READY', attempts: 1 }),
      );
    }
    expect(seeded.map(({ path }) => waha.requests.filter((r) => r.path === path).length)).toEqual([
      1, 1, 1, 1, 1, 1,
    ]);
  });
});

describe("WAHA's file URL", () => {
  it("keeps WAHA's path and query on the configured WAHA, whatever host WAHA named", () => {
    expect(wahaFileUrl('http://localhost:3000/api/files/default/a.jpeg?x=1', 'http://waha:3000')).toBe(
      'http://waha:3000/api/files/default/a.jpeg?x=1',
    );
    expect(wahaFileUrl('http://evil.example/api/files/a.jpeg', 'https://gw.example/waha')).toBe(
      'https://gw.example/waha/api/files/a.jpeg',
    );
    expect(wahaFileUrl('https://gw.example/waha/api/files/a.jpeg', 'https://gw.example/waha/')).toBe(
      'https://gw.example/waha/api/files/a.jpeg',
    );
  });
});
