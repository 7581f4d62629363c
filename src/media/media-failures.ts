/**
 * Why a media is FAILED, as a stable code a client can branch on. The media table has one text
 * column for it (failure_reason), so the reason is written `CODE: sentence` and the code is read
 * back from its start: no column of its own, and a person reading the row sees both.
 */
export const MediaFailure = {
  /** WAHA no longer had the file (404/410): its lifetime ran out before we copied it. */
  MEDIA_EXPIRED: 'MEDIA_EXPIRED',
  /** Larger than MEDIA_MAX_BYTES. */
  MEDIA_TOO_LARGE: 'MEDIA_TOO_LARGE',
  /** WAHA itself could not download the file from WhatsApp (WAMedia.error). */
  MEDIA_NOT_DOWNLOADED: 'MEDIA_NOT_DOWNLOADED',
  /** WAHA gave no URL for the file (its media download is off, or the engine had none). */
  MEDIA_NO_URL: 'MEDIA_NO_URL',
  /** WAHA kept failing (5xx, network) until MEDIA_DOWNLOAD_MAX_ATTEMPTS ran out, or refused us (4xx). */
  MEDIA_UNAVAILABLE: 'MEDIA_UNAVAILABLE',
} as const;
export type MediaFailure = (typeof MediaFailure)[keyof typeof MediaFailure];

const CODES = new Set<string>(Object.values(MediaFailure));

/** The failure_reason text of a code: `CODE: detail`, cut to what a reason needs. */
export function failureReason(code: MediaFailure, detail: string): string {
  return `${code}: ${detail}`.slice(0, 1000);
}

/** The code a failure_reason starts with, or null for a reason written otherwise. */
export function failureCodeOf(reason: string | null | undefined): MediaFailure | null {
  const code = /^([A-Z_]+):/.exec(reason ?? '')?.[1];
  return code !== undefined && CODES.has(code) ? (code as MediaFailure) : null;
}
