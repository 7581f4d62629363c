import { Inject, Injectable } from '@nestjs/common';
import { parse as parseContentDisposition } from 'content-disposition';
import got, { type Got, type PlainResponse } from 'got';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { failureReason, MediaFailure } from './media-failures.js';
import { MEDIA_STORE, type MediaStore, MediaTooLargeError, storageKeyOf } from './media-store.js';

/** A download job, as the worker claimed it from its media row. */
export interface DownloadJob {
  id: string;
  tenantId: string;
  /** WAHA's URL of the file, as WAHA gave it. */
  sourceUrl: string;
}

/** What became of one attempt: the file is stored, it never will be, or try again later. */
export type DownloadOutcome =
  | {
      kind: 'stored';
      storageKey: string;
      size: number;
      sha256: string;
      /** What WAHA's response said, for a row whose WAMedia named none. */
      mimetype: string | null;
      filename: string | null;
    }
  | { kind: 'failed'; reason: string }
  | { kind: 'retry'; error: string };

/**
 * WAHA's URL of a file, on the WAHA this service is configured with: WAHA builds its file URLs on
 * its own base URL (WAHA_BASE_URL, often http://localhost:3000), which need not be reachable from
 * here; only the path and query are WAHA's. It also means a webhook can make this service fetch
 * from WAHA only, whatever host its URL names.
 */
export function wahaFileUrl(sourceUrl: string, wahaBaseUrl: string): string {
  const source = new URL(sourceUrl);
  const base = new URL(wahaBaseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const path =
    prefix && (source.pathname === prefix || source.pathname.startsWith(`${prefix}/`))
      ? source.pathname
      : `${prefix}${source.pathname}`;
  return `${base.origin}${path}${source.search}`;
}

/**
 * Copies a file out of WAHA into the media store, streaming: one attempt per call (the worker
 * owns retries). 404 and 410 mean WAHA no longer has it (its WHATSAPP_FILES_LIFETIME ran out):
 * final. Too large: final. Anything else (5xx, a refusal, a timeout, a cut connection): retry.
 */
@Injectable()
export class WahaFiles {
  private readonly http: Got;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
  ) {
    this.http = got.extend({
      headers: { 'x-api-key': config.waha.apiKey },
      // got has no timeout by default; a WAHA that stalls must not hold a job past its lease.
      timeout: { request: config.media.downloadTimeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      // WAHA answers a file itself; a redirect would lead off the configured WAHA.
      followRedirect: false,
    });
  }

  async copy(job: DownloadJob): Promise<DownloadOutcome> {
    const { maxBytes } = this.config.media;
    const url = wahaFileUrl(job.sourceUrl, this.config.waha.baseUrl);
    const stream = this.http.stream(url);
    let response: PlainResponse;
    try {
      response = await new Promise<PlainResponse>((resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      });
    } catch (error) {
      stream.destroy();
      return { kind: 'retry', error: `WAHA unreachable: ${messageOf(error)}` };
    }
    const status = response.statusCode;
    if (status === 404 || status === 410) {
      stream.destroy();
      return {
        kind: 'failed',
        reason: failureReason(
          MediaFailure.MEDIA_EXPIRED,
          `expired in WAHA before it could be copied (WAHA answered HTTP ${status})`,
        ),
      };
    }
    if (status < 200 || status >= 300) {
      stream.destroy();
      return { kind: 'retry', error: `WAHA answered HTTP ${status}` };
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      stream.destroy();
      return { kind: 'failed', reason: tooLarge(maxBytes, declared) };
    }
    const contentType = header(response.headers['content-type']);
    try {
      const stored = await this.store.put(storageKeyOf(job.tenantId, job.id), stream, {
        maxBytes,
        contentType,
      });
      return {
        kind: 'stored',
        storageKey: stored.key,
        size: stored.size,
        sha256: stored.sha256,
        mimetype: contentType,
        filename: filenameOf(response.headers['content-disposition']),
      };
    } catch (error) {
      stream.destroy();
      if (error instanceof MediaTooLargeError) return { kind: 'failed', reason: tooLarge(maxBytes) };
      return { kind: 'retry', error: `Copying from WAHA failed: ${messageOf(error)}` };
    }
  }
}

function tooLarge(maxBytes: number, size?: number): string {
  return failureReason(
    MediaFailure.MEDIA_TOO_LARGE,
    `the file is larger than ${maxBytes} bytes (MEDIA_MAX_BYTES)${size === undefined ? '' : `: ${size} bytes`}`,
  );
}

function header(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() ? first.trim().slice(0, 255) : null;
}

function filenameOf(value: string | string[] | undefined): string | null {
  const raw = header(value);
  if (!raw) return null;
  try {
    return parseContentDisposition(raw).parameters['filename'] ?? null;
  } catch {
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
