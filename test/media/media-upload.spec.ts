import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { MediaLinks } from '../../src/media/media-links.js';
import { codesOf, sql, startTestApp, type TestApp } from '../support/app.js';
import { http, type HttpAnswer } from './support/http.js';
import { seedMessageWithMedia } from './support/seed.js';
import { startS3Server, type S3Server } from './support/s3-server.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MAX_BYTES = 32 * 1024;
/** A PNG's signature and header chunk, then noise: enough for its format to be recognized. */
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  randomBytes(5000),
]);
const SEND = `mutation($sessionId: ID!, $to: String!, $mediaId: ID) {
  sendWhatsappMessage(sessionId: $sessionId, to: $to, text: "", mediaId: $mediaId) { id }
}`;

/** POST /media: a dashboard's file, as the raw body, streamed into the store (local, then S3). */
describe.each([['local'], ['s3']])('media upload (%s store)', (store) => {
  let s3: S3Server | undefined;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    s3 = store === 's3' ? await startS3Server() : undefined;
    t = await startTestApp({ MEDIA_MAX_BYTES: String(MAX_BYTES), ...s3?.env });
    token = await t.token('upload-a');
  });

  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  function upload(
    body: Buffer | Buffer[],
    headers: Record<string, string> = { 'content-type': 'image/png' },
    options: { query?: string; token?: string | null } = {},
  ): Promise<HttpAnswer> {
    const bearer = options.token === undefined ? token : options.token;
    return http(`${t.url}/media${options.query ?? ''}`, {
      method: 'POST',
      headers: { ...headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body,
    });
  }

  const mediaCount = async () => (await sql<{ n: number }>(t, `select count(*)::int as n from media`))[0]!.n;

  it('stores the file and answers 201 with its id, type, name, size and SHA-256; it downloads the same', async () => {
    const answer = await upload(
      PNG,
      { 'content-type': 'image/png' },
      { query: '?filename=C%3A%5Cpics%5Cshop.png' },
    );
    expect(answer.status).toBe(201);
    const body = JSON.parse(answer.body.toString()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.stringMatching(/^wf_[0-9a-hjkmnp-tv-z]{26}$/),
      mimetype: 'image/png',
      filename: 'shop.png',
      size: PNG.length,
      sha256: sha256(PNG),
    });
    const rowId = parseGlobalId(body['id'] as string)!.key;
    const [row] = await sql(
      t,
      `select m.direction, m.state, m.session_id, t.slug from media m join tenants t on t.id = m.tenant_id where m.id = ?`,
      [rowId],
    );
    expect(row).toEqual({ direction: 'OUTBOUND', state: 'READY', session_id: '', slug: 'upload-a' });
    const tenantId = (await sql<{ id: string }>(t, `select id from tenants where slug = 'upload-a'`))[0]!.id;
    const file = await http(t.app.get(MediaLinks).sendUrl(tenantId, rowId));
    expect({ status: file.status, sha: sha256(file.body), type: file.headers['content-type'] }).toEqual({
      status: 200,
      sha: sha256(PNG),
      type: 'image/png',
    });
  });

  it('streams a body of unknown length (chunked) and takes its name from Content-Disposition', async () => {
    const chunks = [PNG.subarray(0, 1000), PNG.subarray(1000, 3000), PNG.subarray(3000)];
    const answer = await upload(chunks, {
      'content-type': 'image/png',
      'content-disposition': `attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe.png`,
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ filename: 'Grüße.png', size: PNG.length });
  });

  it('refuses a file over MEDIA_MAX_BYTES with 413, said up front or found while streaming, keeping nothing', async () => {
    const before = await mediaCount();
    const declared = await upload(randomBytes(MAX_BYTES + 1), { 'content-type': 'application/pdf' });
    const chunked = await upload(
      Array.from({ length: 20 }, () => randomBytes(4096)),
      { 'content-type': 'application/pdf' },
    );
    for (const answer of [declared, chunked]) {
      expect({ status: answer.status, error: answer.error }).toEqual({
        status: 413,
        error: {
          code: 'MEDIA_TOO_LARGE',
          message: `The file is larger than ${MAX_BYTES} bytes`,
          details: { maxBytes: MAX_BYTES },
        },
      });
    }
    expect(await mediaCount()).toBe(before);
    if (store === 'local') expect(readdirSync(join(t.config.media.dir, '.partial'))).toEqual([]);
    // The connection is still good for the next request.
    expect((await upload(PNG)).status).toBe(201);
  });

  it('refuses a type MEDIA_UPLOAD_TYPES does not allow, no type, and bytes that are not what they claim (415)', async () => {
    const exe = Buffer.concat([
      Buffer.from('MZ'),
      Buffer.alloc(62),
      Buffer.from('PE\0\0'),
      randomBytes(2000),
    ]);
    const answers = {
      html: await upload(Buffer.from('<script>alert(1)</script>'), { 'content-type': 'text/html' }),
      none: await upload(Buffer.from('bytes'), {}),
      exeAsJpeg: await upload(exe, { 'content-type': 'image/jpeg' }),
      pdfAsPng: await upload(Buffer.from('%PDF-1.7\n%tiny\n'), { 'content-type': 'image/png' }),
    };
    expect(
      Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, [a.status, a.error?.code]])),
    ).toEqual({
      html: [415, 'MEDIA_TYPE_NOT_ALLOWED'],
      none: [415, 'MEDIA_TYPE_NOT_ALLOWED'],
      exeAsJpeg: [415, 'MEDIA_TYPE_NOT_ALLOWED'],
      pdfAsPng: [415, 'MEDIA_TYPE_NOT_ALLOWED'],
    });
    expect(answers.pdfAsPng.error?.details).toEqual({ declared: 'image/png', detected: 'application/pdf' });
    expect(answers.html.error?.details?.['allowed']).toEqual(t.config.media.uploadTypes);
    // A voice note as WhatsApp records it, and a text file file-type cannot recognize, are taken.
    // An Ogg page whose first packet (at byte 28) is Opus's header, as a voice note starts.
    const opus = Buffer.concat([
      Buffer.from('OggS'),
      Buffer.alloc(24),
      Buffer.from('OpusHead'),
      randomBytes(3000),
    ]);
    expect((await upload(opus, { 'content-type': 'audio/ogg; codecs=opus' })).status).toBe(201);
    const oggOfUnknownCodec = Buffer.concat([Buffer.from('OggS'), randomBytes(3000)]);
    expect((await upload(oggOfUnknownCodec, { 'content-type': 'audio/ogg' })).status).toBe(201);
    expect((await upload(Buffer.from('a,b\n1,2\n'), { 'content-type': 'text/csv' })).status).toBe(201);
  });

  it('refuses an empty file (400), a caller without a token (401) or with a viewer token (403)', async () => {
    const before = await mediaCount();
    const viewer = await t.token('upload-a', { userId: 'viewer', roles: ['viewer'] });
    const answers = {
      empty: await upload(Buffer.alloc(0)),
      noToken: await upload(PNG, undefined, { token: null }),
      viewer: await upload(PNG, undefined, { token: viewer }),
    };
    expect(
      Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, [a.status, a.error?.code]])),
    ).toEqual({
      empty: [400, 'MEDIA_EMPTY'],
      noToken: [401, 'UNAUTHENTICATED'],
      viewer: [403, 'FORBIDDEN'],
    });
    expect(await mediaCount()).toBe(before);
  });

  it("belongs to the caller's tenant: B cannot name A's session for it, nor send A's upload", async () => {
    const a = await seedMessageWithMedia(t, { tenant: 'upload-a', media: { url: null } });
    const b = await seedMessageWithMedia(t, { tenant: 'upload-b', media: { url: null } });
    const tokenB = await t.token('upload-b');
    const own = await upload(PNG, undefined, { query: `?sessionId=${a.sessionId}` });
    expect(own.status).toBe(201);
    const { id } = JSON.parse(own.body.toString()) as { id: string };
    const rowId = parseGlobalId(id)!.key;
    expect(await sql(t, `select session_id from media where id = ?`, [rowId])).toEqual([
      { session_id: a.sessionId },
    ]);

    const intoA = await upload(PNG, undefined, { query: `?sessionId=${a.sessionId}`, token: tokenB });
    expect([intoA.status, intoA.error?.code]).toEqual([404, 'MEDIA_SESSION_NOT_FOUND']);

    const sendA = await t.gql(SEND, { sessionId: b.sessionId, to: b.chatId, mediaId: id }, { token: tokenB });
    expect(codesOf(sendA)).toEqual(['NOT_FOUND']);
    expect(sendA.errors![0]!.extensions?.['field']).toBe('mediaId');
    expect(await sql(t, `select count(*)::int as n from messages where media_id = ?`, [rowId])).toEqual([
      { n: 0 },
    ]);
  });
});
