import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ByteRange,
  MediaObjectMissingError,
  type MediaStore,
  MeteredStream,
  type PutOptions,
  type StoredObject,
} from './media-store.js';

/** Half-written files, on the same file system as the store so that finishing one is a rename. */
const PARTIAL_DIR = '.partial';

/**
 * The embedded store: one file per media under MEDIA_DIR. A file is written under `.partial/`
 * and renamed into place once complete, so a reader never sees half a file and a crash leaves
 * only a partial file behind (a retry writes a new one). Replicas that share the folder (a
 * shared volume) share the files; otherwise use the S3 backend.
 */
export class LocalMediaStore implements MediaStore {
  readonly kind = 'local';
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  async init(): Promise<void> {
    try {
      await mkdir(join(this.root, PARTIAL_DIR), { recursive: true });
      await access(this.root, constants.W_OK);
    } catch (error) {
      throw new Error(
        `MEDIA_DIR ${this.root} cannot be created or written (MEDIA_STORE=local): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<StoredObject> {
    const target = this.pathOf(key);
    const partial = join(this.root, PARTIAL_DIR, `${randomBytes(12).toString('hex')}`);
    const meter = new MeteredStream(options.maxBytes);
    try {
      await pipeline(body, meter, createWriteStream(partial, { flags: 'wx' }));
      await mkdir(dirname(target), { recursive: true });
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { key, size: meter.bytesSeen, sha256: meter.sha256() };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    let handle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MediaObjectMissingError(key);
      throw error;
    }
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async close(): Promise<void> {}

  /** Keys are ours (tenant/media ids), but a key that would leave the folder is refused all the same. */
  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (
      !path.startsWith(this.root + sep) ||
      key.split('/').some((part) => part === '' || part.startsWith('.'))
    ) {
      throw new Error(`Not a media key: ${JSON.stringify(key)}`);
    }
    return path;
  }
}
