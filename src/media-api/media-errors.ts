import { type Response } from 'express';

/**
 * The file endpoints' answers that are not a file, with stable codes a client branches on, in
 * the shape of every HTTP error of this service (`{ error: { code, message, details? } }`).
 */
export const MediaErrorCode = {
  /** The link was not made by this service, or was altered (another id, tenant or expiry). */
  MEDIA_LINK_INVALID: 'MEDIA_LINK_INVALID',
  /** The link is genuine but past its expiry: ask the API for a fresh one. */
  MEDIA_LINK_EXPIRED: 'MEDIA_LINK_EXPIRED',
  MEDIA_NOT_FOUND: 'MEDIA_NOT_FOUND',
  /** Still being copied out of WAHA: try again shortly. */
  MEDIA_NOT_READY: 'MEDIA_NOT_READY',
  /** WAHA deleted the file before it could be copied: it will never be available. */
  MEDIA_EXPIRED: 'MEDIA_EXPIRED',
  /** The media is FAILED for another reason (details.reason says which). */
  MEDIA_FAILED: 'MEDIA_FAILED',
  MEDIA_RANGE_NOT_SATISFIABLE: 'MEDIA_RANGE_NOT_SATISFIABLE',
  MEDIA_TOO_LARGE: 'MEDIA_TOO_LARGE',
  MEDIA_TYPE_NOT_ALLOWED: 'MEDIA_TYPE_NOT_ALLOWED',
  MEDIA_EMPTY: 'MEDIA_EMPTY',
  MEDIA_BAD_REQUEST: 'MEDIA_BAD_REQUEST',
  /** The upload's ?sessionId= names no session of the caller's tenant. */
  MEDIA_SESSION_NOT_FOUND: 'MEDIA_SESSION_NOT_FOUND',
} as const;
export type MediaErrorCode = (typeof MediaErrorCode)[keyof typeof MediaErrorCode];

export class MediaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: MediaErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'MediaApiError';
  }
}

/** Answers `error`; when a file's bytes were already going out, only cutting the connection can say so. */
export function sendMediaError(res: Response, error: MediaApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A ranged or cached answer's headers, set before the error was known, are not the error's.
  for (const name of [
    'content-type',
    'content-length',
    'content-range',
    'etag',
    'content-disposition',
    'accept-ranges',
  ]) {
    res.removeHeader(name);
  }
  res.status(error.status).set({
    ...error.headers,
    'cache-control': 'no-store',
  });
  res.json({
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    },
  });
}
