import { type Readable, pipeline } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type MediaConfig } from '../config/media-config.js';
import {
  type ByteRange,
  MediaObjectMissingError,
  type MediaStore,
  MeteredStream,
  type PutOptions,
  type StoredObject,
} from './media-store.js';

/** S3's smallest multipart part; also what one upload holds in memory at a time (queueSize 1). */
const PART_SIZE = 5 * 1_048_576;

/**
 * The production store: an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, …). Files are
 * streamed in with a multipart upload of at most one part in memory, since a file's length is
 * only known at its end (WAHA may not say it, an upload may be chunked).
 */
export class S3MediaStore implements MediaStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(config: MediaConfig['s3']) {
    this.bucket = config.bucket;
    const options: S3ClientConfig = {
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      // Since 2025 the SDK sends streamed bodies as `aws-chunked` with a trailing CRC32 by
      // default; S3-compatible servers that do not read that framing (s3rver, older MinIO,
      // several clouds) would store the framing as the file. Checksums only where S3 requires
      // them: the store computes its own SHA-256 of every file anyway.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.accessKeyId && config.secretAccessKey
        ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
        : {}),
    };
    this.client = new S3Client(options);
  }

  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw new Error(
        `MEDIA_S3_BUCKET ${JSON.stringify(this.bucket)} cannot be reached (MEDIA_STORE=s3): ${describe(error)}`,
        { cause: error },
      );
    }
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<StoredObject> {
    const meter = new MeteredStream(options.maxBytes);
    // The body's failure (a cut connection) or the meter's (too large) fails the upload,
    // which then aborts its multipart upload: nothing is kept.
    pipeline(body, meter, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: meter,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
      },
      partSize: PART_SIZE,
      queueSize: 1,
    });
    await upload.done();
    return { key, size: meter.bytesSeen, sha256: meter.sha256() };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new MediaObjectMissingError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return [e?.name, status ? `HTTP ${status}` : undefined, e?.message].filter(Boolean).join(': ');
}
