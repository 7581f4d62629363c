import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testConfig } from '../support/env.js';
import { LocalMediaStore } from '../../src/media/local-media-store.js';
import {
  MediaObjectMissingError,
  type MediaStore,
  MediaTooLargeError,
  storageKeyOf,
} from '../../src/media/media-store.js';
import { S3MediaStore } from '../../src/media/s3-media-store.js';
import { startS3Server, type S3Server } from './support/s3-server.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `bytes` as a stream of small chunks, as a socket delivers them. */
function chunked(bytes: Buffer, size = 7_000): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    })(),
  );
}

/** The same behaviour from both backends: the store is a port, and either one can be behind it. */
function behavesAsAMediaStore(name: string, open: () => MediaStore) {
  describe(name, () => {
    let store: MediaStore;
    const tenant = '00000000-0000-4000-8000-0000000000aa';
    beforeAll(async () => {
      store = open();
      await store.init();
    });
    afterAll(() => store.close());

    it('stores a stream and says its exact size and SHA-256, and gives the bytes back', async () => {
      // Over S3's 5 MiB part: the multipart path, not only the single PUT.
      const bytes = randomBytes(6 * 1_048_576 + 123);
      const key = storageKeyOf(tenant, 'BIG');
      const stored = await store.put(key, chunked(bytes, 65_536), {
        maxBytes: 8 * 1_048_576,
        contentType: 'video/mp4',
      });
      expect(stored).toEqual({ key, size: bytes.length, sha256: sha256(bytes) });
      expect(sha256(await buffer(await store.get(key)))).toBe(sha256(bytes));
    });

    it('reads a byte range, inclusive at both ends', async () => {
      const bytes = Buffer.from('0123456789abcdefghij');
      const key = storageKeyOf(tenant, 'RANGE');
      await store.put(key, chunked(bytes, 3), { maxBytes: 100 });
      expect((await buffer(await store.get(key, { start: 5, end: 9 }))).toString()).toBe('56789');
      // Not 0-0: s3rver reads an end of 0 as none (real S3 and MinIO do not).
      expect((await buffer(await store.get(key, { start: 0, end: 1 }))).toString()).toBe('01');
      expect((await buffer(await store.get(key, { start: 19, end: 19 }))).toString()).toBe('j');
    });

    it('replaces what a key held (a retried download writes the same key)', async () => {
      const key = storageKeyOf(tenant, 'AGAIN');
      await store.put(key, chunked(Buffer.from('first version')), { maxBytes: 100 });
      const stored = await store.put(key, chunked(Buffer.from('second')), { maxBytes: 100 });
      expect(stored.size).toBe(6);
      expect((await buffer(await store.get(key))).toString()).toBe('second');
    });

    it('refuses a file past maxBytes while it streams, and keeps nothing of it', async () => {
      const key = storageKeyOf(tenant, 'HUGE');
      await expect(store.put(key, chunked(randomBytes(50_000)), { maxBytes: 20_000 })).rejects.toBeInstanceOf(
        MediaTooLargeError,
      );
      await expect(store.get(key)).rejects.toBeInstanceOf(MediaObjectMissingError);
    });

    it('keeps nothing when the body fails midway', async () => {
      const key = storageKeyOf(tenant, 'CUT');
      const body = Readable.from(
        (async function* () {
          yield Buffer.from('half a file');
          throw new Error('connection reset');
        })(),
      );
      await expect(store.put(key, body, { maxBytes: 1000 })).rejects.toThrow('connection reset');
      await expect(store.get(key)).rejects.toBeInstanceOf(MediaObjectMissingError);
    });

    it('deletes, and deleting nothing is no error', async () => {
      const key = storageKeyOf(tenant, 'GONE');
      await store.put(key, chunked(Buffer.from('x')), { maxBytes: 10 });
      await store.delete(key);
      await expect(store.get(key)).rejects.toBeInstanceOf(MediaObjectMissingError);
      await store.delete(key);
    });
  });
}

describe('media store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whatsapp-hub-media-store-'));
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  });

  behavesAsAMediaStore('local folder', () => new LocalMediaStore(join(dir, 'nested', 'media')));
  behavesAsAMediaStore(
    'S3-compatible (s3rver on 127.0.0.1)',
    () => new S3MediaStore(testConfig(s3.env).media.s3),
  );

  it('local: leaves no partial file behind a refused or failed write', () => {
    expect(readdirSync(join(dir, 'nested', 'media', '.partial'))).toEqual([]);
  });

  it('local: refuses a key that would leave its folder', async () => {
    const store = new LocalMediaStore(join(dir, 'nested', 'media'));
    await expect(store.get('../outside')).rejects.toThrow('Not a media key');
  });

  it('local: says which folder it cannot use, at start', async () => {
    // A file where the folder should be: a misconfigured MEDIA_DIR.
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const store = new LocalMediaStore(join(file, 'media'));
    await expect(store.init()).rejects.toThrow(
      `MEDIA_DIR ${join(file, 'media')} cannot be created or written`,
    );
  });

  it('s3: says which bucket it cannot reach, at start', async () => {
    const store = new S3MediaStore({ ...testConfig(s3.env).media.s3, bucket: 'no-such-bucket' });
    await expect(store.init()).rejects.toThrow(/^MEDIA_S3_BUCKET "no-such-bucket" cannot be reached/);
    await store.close();
  });
});
