import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { DEFAULT_UPLOAD_TYPES } from '../../src/config/media-config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('media settings', () => {
  it('default to a local folder under the data directory, 64 MiB, short links, downloads on', () => {
    const { media } = parseEnv({});
    expect(media).toMatchObject({
      store: 'local',
      dir: './.data/media',
      maxBytes: 67_108_864,
      uploadTypes: DEFAULT_UPLOAD_TYPES,
      urlTtlSeconds: 300,
      sendUrlTtlSeconds: 86_400,
      publicBaseUrl: undefined,
      sendBaseUrl: undefined,
      downloads: true,
      downloadMaxAttempts: 8,
    });
    expect(media.uploadTypes).toEqual(
      expect.arrayContaining(['image/jpeg', 'audio/ogg', 'video/mp4', 'application/pdf']),
    );
    expect(media.signingSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('read an S3-compatible store: path-style addressing by default when an endpoint is set', () => {
    const { media } = parseEnv({
      MEDIA_STORE: 's3',
      MEDIA_S3_ENDPOINT: 'http://minio:9000/',
      MEDIA_S3_BUCKET: 'files',
      MEDIA_S3_ACCESS_KEY_ID: 'key',
      MEDIA_S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(media.s3).toEqual({
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      bucket: 'files',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    // AWS itself: virtual-hosted addressing, the SDK's own credentials.
    const aws = parseEnv({ MEDIA_STORE: 's3', MEDIA_S3_BUCKET: 'files', MEDIA_S3_REGION: 'eu-west-1' }).media
      .s3;
    expect(aws).toMatchObject({ endpoint: undefined, forcePathStyle: false, accessKeyId: undefined });
  });

  it('name every bad media setting at start', () => {
    expect(
      problemsOf({
        MEDIA_STORE: 's3',
        MEDIA_S3_ACCESS_KEY_ID: 'only-the-id',
        MEDIA_S3_ENDPOINT: 'minio:9000',
        MEDIA_MAX_BYTES: '10',
        MEDIA_UPLOAD_TYPES: 'image/png, jpeg',
        MEDIA_PUBLIC_BASE_URL: 'ftp://files',
        MEDIA_SIGNING_SECRET: 'short',
      }),
    ).toEqual([
      'MEDIA_S3_ENDPOINT must be a http: or https: URL, got minio:',
      'MEDIA_S3_BUCKET is required when MEDIA_STORE=s3',
      'MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY are set together or not at all',
      'MEDIA_UPLOAD_TYPES must be mimetypes (type/subtype), got ["jpeg"]',
      'MEDIA_PUBLIC_BASE_URL must be a http: or https: URL, got ftp:',
      'MEDIA_SIGNING_SECRET must be at least 32 characters',
      'MEDIA_MAX_BYTES must be an integer from 1024 to 4294967296, got "10"',
    ]);
    expect(problemsOf({ MEDIA_STORE: 'ftp' })).toEqual(['MEDIA_STORE must be one of local, s3, got "ftp"']);
  });
});
