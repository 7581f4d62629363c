import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * The media store: where message files are kept, behind one small port with two backends,
 * a local folder (LocalMediaStore, the default) and an S3-compatible bucket (S3MediaStore).
 * Files go in and out as streams: a file is never held whole in memory, and its size and
 * SHA-256 are computed while it passes.
 */
/** Injection token of the configured MediaStore backend (MediaModule provides it). */
export const MEDIA_STORE = Symbol('MEDIA_STORE');

export interface MediaStore {
  readonly kind: 'local' | 's3';
  /** Checks (and for a folder, creates) the store; called once on start. */
  init(): Promise<void>;
  /**
   * Streams `body` in under `key`, replacing what was there, and says its size and SHA-256.
   * Past `maxBytes` it stops reading, keeps nothing and rejects with MediaTooLargeError; any
   * other failure (the body's included) keeps nothing either.
   */
  put(key: string, body: Readable, options: PutOptions): Promise<StoredObject>;
  /** The bytes under `key`, or `range` of them (inclusive offsets); MediaObjectMissingError if none. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes `key`; nothing there is no error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface PutOptions {
  maxBytes: number;
  contentType?: string | null;
}

export interface StoredObject {
  key: string;
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

/** Inclusive byte offsets, as HTTP ranges count them. */
export interface ByteRange {
  start: number;
  end: number;
}

export class MediaTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes (MEDIA_MAX_BYTES)`);
    this.name = 'MediaTooLargeError';
  }
}

export class MediaObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(`The media store has no object ${JSON.stringify(key)}`);
    this.name = 'MediaObjectMissingError';
  }
}

/** Where a media's bytes live: one object per media, under its tenant, so retries overwrite it. */
export function storageKeyOf(tenantId: string, mediaId: string): string {
  return `${tenantId}/${mediaId}`;
}

/**
 * Passes bytes through while counting and hashing them; fails with MediaTooLargeError as soon
 * as more than `maxBytes` went by, so a too-large file is cut off, not read to its end.
 */
export class MeteredStream extends Transform {
  private readonly hash = createHash('sha256');
  /** Not `size`: lib-storage takes a body's `size` for its length before it is read. */
  bytesSeen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytesSeen += chunk.length;
    if (this.bytesSeen > this.maxBytes) {
      done(new MediaTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Hex SHA-256 of everything that passed; call once the stream has ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
