import { createHmac } from 'node:crypto';
import { type Reader } from './env.js';

/** Where message files are kept, how large they may be, and how they are fetched and linked. */
export interface MediaConfig {
  /** `local`: a folder (`dir`); `s3`: an S3-compatible bucket (`s3`). */
  store: 'local' | 's3';
  /** The local store's folder (absolute or relative to the working directory); created on start. */
  dir: string;
  s3: {
    /** Unset: AWS S3 itself. */
    endpoint: string | undefined;
    region: string;
    bucket: string;
    /** Both unset: the AWS SDK's own credential chain (environment, instance role). */
    accessKeyId: string | undefined;
    secretAccessKey: string | undefined;
    /** `http://host/bucket/key` instead of `http://bucket.host/key`: what MinIO and most S3-compatibles need. */
    forcePathStyle: boolean;
  };
  /** Largest file, downloaded from WAHA or uploaded, in bytes. */
  maxBytes: number;
  /** Mimetypes a dashboard may upload. */
  uploadTypes: string[];
  /** Lifetime of a dashboard's download link. */
  urlTtlSeconds: number;
  /** Lifetime of the link WAHA fetches an outbound file from (n8n may retry a send for a while). */
  sendUrlTtlSeconds: number;
  /** Where dashboards reach this service; unset: http://127.0.0.1:<the port it listens on>. */
  publicBaseUrl: string | undefined;
  /** Where WAHA reaches this service to fetch outbound files; unset: publicBaseUrl. */
  sendBaseUrl: string | undefined;
  /** HMAC key of download links. */
  signingSecret: string;
  /** Copy inbound files out of WAHA on this replica (off only for tools and tests that must not). */
  downloads: boolean;
  downloadMaxAttempts: number;
  downloadPollIntervalMs: number;
  downloadBaseBackoffMs: number;
  downloadMaxBackoffMs: number;
  /** One download, from the request to its last byte. */
  downloadTimeoutMs: number;
  /** Files downloaded at once by one replica. */
  downloadConcurrency: number;
}

/** Mimetypes WhatsApp sends as image, video, voice/audio or document, and the office formats people send. */
export const DEFAULT_UPLOAD_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'video/mp4',
  'video/3gpp',
  'audio/ogg',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
];

const MIB = 1_048_576;
const MIMETYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

export function readMediaConfig(r: Reader, jwtSecret: string): MediaConfig {
  const store = r.oneOf('MEDIA_STORE', ['local', 's3'] as const, 'local');
  const endpointSet = r.optional('MEDIA_S3_ENDPOINT') !== undefined;
  const s3 = {
    endpoint: endpointSet ? r.url('MEDIA_S3_ENDPOINT', undefined, ['http:', 'https:']) : undefined,
    region: r.string('MEDIA_S3_REGION', 'us-east-1'),
    bucket: r.optional('MEDIA_S3_BUCKET') ?? '',
    accessKeyId: r.optional('MEDIA_S3_ACCESS_KEY_ID'),
    secretAccessKey: r.optional('MEDIA_S3_SECRET_ACCESS_KEY'),
    // An endpoint of one's own is nearly always MinIO or another S3-compatible that wants paths.
    forcePathStyle: r.bool('MEDIA_S3_FORCE_PATH_STYLE', endpointSet),
  };
  if (store === 's3') {
    if (!s3.bucket) r.problems.push('MEDIA_S3_BUCKET is required when MEDIA_STORE=s3');
    if ((s3.accessKeyId === undefined) !== (s3.secretAccessKey === undefined)) {
      r.problems.push('MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY are set together or not at all');
    }
  }
  const uploadTypes = (r.optional('MEDIA_UPLOAD_TYPES')?.split(',') ?? DEFAULT_UPLOAD_TYPES)
    .map((type) => type.trim().toLowerCase())
    .filter(Boolean);
  const badTypes = uploadTypes.filter((type) => !MIMETYPE.test(type));
  if (badTypes.length > 0) {
    r.problems.push(`MEDIA_UPLOAD_TYPES must be mimetypes (type/subtype), got ${JSON.stringify(badTypes)}`);
  }
  const publicBaseUrl =
    r.optional('MEDIA_PUBLIC_BASE_URL') === undefined
      ? undefined
      : r.url('MEDIA_PUBLIC_BASE_URL', undefined, ['http:', 'https:']);
  const sendBaseUrl =
    r.optional('MEDIA_SEND_BASE_URL') === undefined
      ? undefined
      : r.url('MEDIA_SEND_BASE_URL', undefined, ['http:', 'https:']);
  const signingSecret = r.optional('MEDIA_SIGNING_SECRET');
  if (signingSecret !== undefined && signingSecret.length < 32) {
    r.problems.push('MEDIA_SIGNING_SECRET must be at least 32 characters');
  }
  return {
    store,
    dir: r.string('MEDIA_DIR', './.data/media'),
    s3,
    maxBytes: r.int('MEDIA_MAX_BYTES', 64 * MIB, 1024, 4096 * MIB),
    uploadTypes,
    urlTtlSeconds: r.int('MEDIA_URL_TTL_SECONDS', 300, 10, 86_400),
    sendUrlTtlSeconds: r.int('MEDIA_SEND_URL_TTL_SECONDS', 86_400, 60, 604_800),
    publicBaseUrl,
    sendBaseUrl,
    // Derived from JWT_SECRET when unset: every replica already shares it (and production requires
    // it), so links one replica signs verify on all; the label keeps the two keys apart, so a link
    // signature is never a token signature. Rotating JWT_SECRET then also ends outstanding links.
    signingSecret:
      signingSecret ?? createHmac('sha256', jwtSecret).update('whatsapp-hub media links v1').digest('hex'),
    downloads: r.bool('MEDIA_DOWNLOADS', true),
    downloadMaxAttempts: r.int('MEDIA_DOWNLOAD_MAX_ATTEMPTS', 8, 1, 100),
    downloadPollIntervalMs: r.int('MEDIA_DOWNLOAD_POLL_INTERVAL_MS', 2000, 10, 60_000),
    downloadBaseBackoffMs: r.int('MEDIA_DOWNLOAD_BASE_BACKOFF_MS', 1000, 1, 600_000),
    downloadMaxBackoffMs: r.int('MEDIA_DOWNLOAD_MAX_BACKOFF_MS', 30_000, 1, 3_600_000),
    downloadTimeoutMs: r.int('MEDIA_DOWNLOAD_TIMEOUT_MS', 120_000, 1000, 3_600_000),
    downloadConcurrency: r.int('MEDIA_DOWNLOAD_CONCURRENCY', 4, 1, 64),
  };
}
