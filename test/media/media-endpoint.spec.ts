import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toGlobalId } from '../../src/common/global-ids.js';
import { MediaDownloadWorker } from '../../src/chats/media-download.worker.js';
import { MediaLinks } from '../../src/media/media-links.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { http } from './support/http.js';
import { mediaRow, type SeededMessage, seedMessageWithMedia } from './support/seed.js';
import { startWahaFilesServer, type WahaFilesServer } from './support/waha-files-server.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MESSAGES = `query($sessionId: ID!, $chatId: ID!) {
  messages(sessionId: $sessionId, chatId: $chatId) { edges { node { wahaId media { id state downloadUrl failureReason } } } }
}`;

/** Audio-like bytes: an Ogg page header, then noise, as a voice note's file starts. */
const VOICE = Buffer.concat([Buffer.from('OggS\0\x02'), randomBytes(40_000)]);

/** GET /media/:id by signed link, on received files copied from a server that serves them as WAHA. */
describe('media endpoint', () => {
  let waha: WahaFilesServer;
  let t: TestApp;
  let links: MediaLinks;
  let token: string;
  let voice: SeededMessage;

  beforeAll(async () => {
    waha = await startWahaFilesServer();
    t = await startTestApp({ WAHA_URL: waha.url, MEDIA_DOWNLOAD_POLL_INTERVAL_MS: '50' });
    links = t.app.get(MediaLinks);
    token = await t.token('media-a');
    waha.route('/api/files/a/voice.ogg', { kind: 'file', body: VOICE, mimetype: 'audio/ogg; codecs=opus' });
    voice = await received('/api/files/a/voice.ogg', {
      mimetype: 'audio/ogg; codecs=opus',
      filename: 'voice.ogg',
    });
    await ready(voice.mediaId);
  });

  afterAll(async () => {
    await t?.close();
    await waha?.close();
  });

  async function received(path: string, media: Record<string, unknown> = {}, tenant = 'media-a') {
    const seeded = await seedMessageWithMedia(t, { tenant, media: { url: waha.wahaUrlOf(path), ...media } });
    t.app.get(MediaDownloadWorker).wake();
    return seeded;
  }

  async function ready(mediaId: string) {
    await eventually(async () => expect((await mediaRow(t, mediaId)).state).toBe('READY'));
  }

  /** The media of a message as the dashboard reads it, with its downloadUrl. */
  async function mediaOf(message: SeededMessage, asToken = token) {
    const result = await t.gql<{
      messages: {
        edges: {
          node: { wahaId: string; media: { id: string; state: string; downloadUrl: string | null } };
        }[];
      };
    }>(MESSAGES, { sessionId: message.sessionId, chatId: message.chatId }, { token: asToken });
    expect(result.errors).toBeUndefined();
    return result.data!.messages.edges.find((edge) => edge.node.wahaId === message.wahaId)!.node.media;
  }

  it('serves a READY file by the link the API gives: type, disposition, length, ETag, ranges', async () => {
    const media = await mediaOf(voice);
    expect(media.id).toBe(toGlobalId('WhatsappMedia', voice.mediaId));
    // The link names the row itself: the media endpoint is not the GraphQL API.
    expect(media.downloadUrl).toMatch(new RegExp(`^${t.url}/media/${voice.mediaId}\\?`));
    const answer = await http(media.downloadUrl!);
    expect(answer.status).toBe(200);
    expect(sha256(answer.body)).toBe(sha256(VOICE));
    expect(answer.headers).toMatchObject({
      'content-type': 'audio/ogg; codecs=opus',
      'content-disposition': 'inline; filename=voice.ogg',
      'content-length': String(VOICE.length),
      'accept-ranges': 'bytes',
      etag: `"${sha256(VOICE)}"`,
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers a range request with 206 and exactly those bytes, as an <audio> element seeks', async () => {
    const url = (await mediaOf(voice)).downloadUrl!;
    const middle = await http(url, { headers: { range: 'bytes=1000-1999' } });
    expect(middle.status).toBe(206);
    expect(middle.headers['content-range']).toBe(`bytes 1000-1999/${VOICE.length}`);
    expect(middle.headers['content-length']).toBe('1000');
    expect(middle.body.equals(VOICE.subarray(1000, 2000))).toBe(true);

    const first = await http(url, { headers: { range: 'bytes=0-0' } });
    expect({ status: first.status, body: [...first.body] }).toEqual({ status: 206, body: [VOICE[0]] });

    const tail = await http(url, { headers: { range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(VOICE.subarray(VOICE.length - 100))).toBe(true);

    const open = await http(url, { headers: { range: `bytes=${VOICE.length - 10}-` } });
    expect(open.headers['content-range']).toBe(
      `bytes ${VOICE.length - 10}-${VOICE.length - 1}/${VOICE.length}`,
    );
    expect(open.body.equals(VOICE.subarray(VOICE.length - 10))).toBe(true);
  });

  it('refuses a range past the end with 416, and answers a malformed one or a stale If-Range whole', async () => {
    const url = (await mediaOf(voice)).downloadUrl!;
    const past = await http(url, { headers: { range: `bytes=${VOICE.length}-` } });
    expect({ status: past.status, code: past.error?.code, range: past.headers['content-range'] }).toEqual({
      status: 416,
      code: 'MEDIA_RANGE_NOT_SATISFIABLE',
      range: `bytes */${VOICE.length}`,
    });
    const wholeAnswers: Record<string, string>[] = [
      { range: 'bytes=abc' },
      { range: 'bytes=0-9', 'if-range': '"another-version"' },
    ];
    for (const headers of wholeAnswers) {
      const whole = await http(url, { headers });
      expect({ headers, status: whole.status, length: whole.body.length }).toEqual({
        headers,
        status: 200,
        length: VOICE.length,
      });
    }
    const cached = await http(url, { headers: { 'if-none-match': `"${sha256(VOICE)}"` } });
    expect({ status: cached.status, length: cached.body.length }).toEqual({ status: 304, length: 0 });
    const head = await http(url, { method: 'HEAD' });
    expect({ status: head.status, length: head.headers['content-length'], body: head.body.length }).toEqual({
      status: 200,
      length: String(VOICE.length),
      body: 0,
    });
  });

  it('serves a document as an attachment', async () => {
    const pdf = Buffer.from('%PDF-1.7\n% a tiny document\n');
    waha.route('/api/files/a/contract.pdf', { kind: 'file', body: pdf, mimetype: 'application/pdf' });
    const doc = await received('/api/files/a/contract.pdf', { filename: 'Vertrag März.pdf' });
    await ready(doc.mediaId);
    const answer = await http((await mediaOf(doc)).downloadUrl!);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-disposition']).toBe(
      `attachment; filename="Vertrag M?rz.pdf"; filename*=UTF-8''Vertrag%20M%C3%A4rz.pdf`,
    );
    expect(answer.body.equals(pdf)).toBe(true);
  });

  it('gives no downloadUrl until READY; a link to a PENDING file is 409 MEDIA_NOT_READY', async () => {
    // Kept PENDING: its download is not due for an hour.
    const pending = await seedMessageWithMedia(t, {
      tenant: 'media-a',
      media: { url: waha.wahaUrlOf('/api/files/a/later.jpeg') },
      nextAttemptAt: new Date(Date.now() + 3_600_000),
    });
    expect(await mediaOf(pending)).toMatchObject({ state: 'PENDING', downloadUrl: null });
    const answer = await http(links.downloadUrl(voice.tenantId, pending.mediaId));
    expect({ status: answer.status, code: answer.error?.code, retry: answer.headers['retry-after'] }).toEqual(
      {
        status: 409,
        code: 'MEDIA_NOT_READY',
        retry: '2',
      },
    );
  });

  it('says a file expired in WAHA is gone for good (410 MEDIA_EXPIRED), other failures 422 with their reason', async () => {
    const expired = await received('/api/files/a/expired.jpeg');
    await eventually(async () => expect((await mediaRow(t, expired.mediaId)).state).toBe('FAILED'));
    const media = await mediaOf(expired);
    expect(media).toMatchObject({ state: 'FAILED', downloadUrl: null });
    const gone = await http(links.downloadUrl(expired.tenantId, expired.mediaId));
    expect({ status: gone.status, error: gone.error }).toEqual({
      status: 410,
      error: {
        code: 'MEDIA_EXPIRED',
        message: 'MEDIA_EXPIRED: expired in WAHA before it could be copied (WAHA answered HTTP 404)',
        details: { reason: 'MEDIA_EXPIRED' },
      },
    });
    const noUrl = await seedMessageWithMedia(t, {
      tenant: 'media-a',
      media: { error: { message: 'no media key' } },
    });
    const failed = await http(links.downloadUrl(noUrl.tenantId, noUrl.mediaId));
    expect({ status: failed.status, code: failed.error?.code, details: failed.error?.details }).toEqual({
      status: 422,
      code: 'MEDIA_FAILED',
      details: { reason: 'MEDIA_NOT_DOWNLOADED' },
    });
  });

  it('refuses a forged, altered or expired link with 403, an unknown media with 404', async () => {
    const url = new URL((await mediaOf(voice)).downloadUrl!);
    const altered = (change: (url: URL) => void) => {
      const copy = new URL(url);
      change(copy);
      return copy.toString();
    };
    const answers = {
      noSignature: await http(altered((u) => u.searchParams.delete('signature'))),
      laterExpiry: await http(
        altered((u) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600))),
      ),
      otherSignature: await http(altered((u) => u.searchParams.set('signature', 'A'.repeat(43)))),
      otherMedia: await http(altered((u) => (u.pathname = `/media/${'0'.repeat(26)}`))),
      expired: await http(links.downloadUrl(voice.tenantId, voice.mediaId, 10, Date.now() - 60_000)),
      unknown: await http(links.downloadUrl(voice.tenantId, '01JZZZZZZZZZZZZZZZZZZZZZZZ')),
    };
    expect(
      Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, [a.status, a.error?.code]])),
    ).toEqual({
      noSignature: [403, 'MEDIA_LINK_INVALID'],
      laterExpiry: [403, 'MEDIA_LINK_INVALID'],
      otherSignature: [403, 'MEDIA_LINK_INVALID'],
      otherMedia: [403, 'MEDIA_LINK_INVALID'],
      expired: [403, 'MEDIA_LINK_EXPIRED'],
      unknown: [404, 'MEDIA_NOT_FOUND'],
    });
  });

  it("keeps tenant B out of A's files: not by a link of its own to A's id, nor by changing A's link", async () => {
    const tokenB = await t.token('media-b');
    const ofB = await seedMessageWithMedia(t, { tenant: 'media-b', media: { url: null } });
    // A genuine link of B's tenant, to A's media id: no such media for B.
    const guessed = await http(links.downloadUrl(ofB.tenantId, voice.mediaId));
    expect([guessed.status, guessed.error?.code]).toEqual([404, 'MEDIA_NOT_FOUND']);
    // A's link with B's tenant put in: the signature no longer holds.
    const url = new URL((await mediaOf(voice)).downloadUrl!);
    url.searchParams.set('tenant', ofB.tenantId);
    const swapped = await http(url.toString());
    expect([swapped.status, swapped.error?.code]).toEqual([403, 'MEDIA_LINK_INVALID']);
    // And B reading A's messages sees none (so no downloadUrl either).
    const result = await t.gql(
      MESSAGES,
      { sessionId: voice.sessionId, chatId: voice.chatId },
      { token: tokenB },
    );
    expect(JSON.stringify(result)).not.toContain(voice.mediaId);
    expect(JSON.stringify(result)).not.toContain(toGlobalId('WhatsappMedia', voice.mediaId));
  });
});
