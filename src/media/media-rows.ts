import { type Actor } from '../common/audit.js';
import { storableText } from '../common/storable.js';
import { newRowId } from '../database/row-ids.js';
import { MediaDirection, MediaState } from './media.entity.js';
import { failureReason, MediaFailure } from './media-failures.js';

/**
 * The one definition of a new `media` row. The message hot path (a writable CTE in
 * src/chats/message-sql.ts) composes mediaInsertSql with mediaValues, so a message and its
 * media are written in one statement; an upload writes the same row on its own. Either way a
 * row is the same: a ULID, the tenant and WAHA session it belongs to, and for an inbound file
 * its download job (PENDING and due now), or FAILED at once when WAHA already said there is no
 * file to fetch.
 */

export interface MediaTarget {
  tenantId: string;
  /** The WAHA session name (the download job fetches through it). */
  sessionId: string;
}

/** What WAHA says of a message's file: its WAMedia, as the webhook carried it (anything may be missing). */
export interface InboundMediaSource {
  url?: unknown;
  mimetype?: unknown;
  filename?: unknown;
  error?: unknown;
}

/** A media row as it is first written. */
export interface NewMedia {
  id: string;
  tenantId: string;
  sessionId: string;
  direction: MediaDirection;
  state: MediaState;
  mimetype: string | null;
  filename: string | null;
  size: number | null;
  sha256: string | null;
  storageKey: string | null;
  sourceUrl: string | null;
  failureReason: string | null;
  attempts: 0;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  createdBy: Actor;
  updatedBy: Actor;
}

/** Column widths of the media table (media.entity.ts). */
const MAX_MIMETYPE = 255;
const MAX_FILENAME = 255;
/** A URL longer than this is no WAHA file URL, and not worth fetching. */
const MAX_SOURCE_URL = 4096;

function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = storableText(value.trim(), max);
  return trimmed === '' ? null : trimmed;
}

function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_SOURCE_URL) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/**
 * A received message's file, from its WAMedia: a download job PENDING and due now; FAILED at once
 * when WAHA reported that it could not download the file itself (`error`), or gave no URL.
 */
export function newInboundMedia(
  target: MediaTarget,
  source: InboundMediaSource | null | undefined,
  actor: Actor,
  now = new Date(),
): NewMedia {
  const sourceUrl = httpUrl(source?.url);
  let failure: string | null = null;
  if (source?.error !== undefined && source.error !== null) {
    failure = failureReason(
      MediaFailure.MEDIA_NOT_DOWNLOADED,
      `WAHA could not download the file from WhatsApp: ${storableText(errorText(source.error), 300)}`,
    );
  } else if (!sourceUrl) {
    failure = failureReason(
      MediaFailure.MEDIA_NO_URL,
      source?.url === undefined || source.url === null
        ? 'WAHA gave no URL for the file (is its media download on for this type?)'
        : "WAHA's URL for the file is not an http(s) URL",
    );
  }
  return {
    id: newRowId(),
    tenantId: target.tenantId,
    sessionId: target.sessionId,
    direction: MediaDirection.INBOUND,
    state: failure ? MediaState.FAILED : MediaState.PENDING,
    mimetype: text(source?.mimetype, MAX_MIMETYPE),
    filename: text(source?.filename, MAX_FILENAME),
    size: null,
    sha256: null,
    storageKey: null,
    sourceUrl,
    failureReason: failure,
    attempts: 0,
    nextAttemptAt: failure ? null : now,
    createdAt: now,
    updatedAt: now,
    createdBy: actor,
    updatedBy: actor,
  };
}

/** What the store said of an uploaded file. */
export interface StoredFile {
  storageKey: string;
  size: number;
  sha256: string;
}

/** A file a dashboard uploaded to send: READY from the start, its bytes already in the store. */
export function newOutboundMedia(
  target: MediaTarget,
  file: StoredFile & { mimetype: string; filename: string | null },
  actor: Actor,
  id = newRowId(),
  now = new Date(),
): NewMedia {
  return {
    id,
    tenantId: target.tenantId,
    sessionId: target.sessionId,
    direction: MediaDirection.OUTBOUND,
    state: MediaState.READY,
    mimetype: text(file.mimetype, MAX_MIMETYPE),
    filename: text(file.filename, MAX_FILENAME),
    size: file.size,
    sha256: file.sha256,
    storageKey: file.storageKey,
    sourceUrl: null,
    failureReason: null,
    attempts: 0,
    nextAttemptAt: null,
    createdAt: now,
    updatedAt: now,
    createdBy: actor,
    updatedBy: actor,
  };
}

/**
 * The INSERT of a media row, for a statement that composes it (a writable CTE): one row per
 * `from` row (which may carry a `where` and placeholders of its own, after these), `?`
 * placeholders in the order of mediaValues. No RETURNING: the statement adds one if it wants it.
 */
export function mediaInsertSql(from = ''): string {
  return `insert into media (id, tenant_id, session_id, direction, state, mimetype, filename, size, sha256, storage_key, source_url, failure_reason, attempts, next_attempt_at, locked_until, created_at, updated_at, created_by, updated_by)
        select ?, ?::uuid, ?, ?, ?, ?, ?, ?::bigint, ?, ?, ?, ?, ?::int, ?::timestamptz, null, ?::timestamptz, ?::timestamptz, ?, ?${from ? ` from ${from}` : ''}`;
}

/** The values of mediaInsertSql's placeholders; `null` for a statement that writes no media. */
export function mediaValues(row: NewMedia | null): unknown[] {
  if (!row) return [...NO_MEDIA];
  return [
    row.id,
    row.tenantId,
    row.sessionId,
    row.direction,
    row.state,
    row.mimetype,
    row.filename,
    row.size,
    row.sha256,
    row.storageKey,
    row.sourceUrl,
    row.failureReason,
    row.attempts,
    row.nextAttemptAt,
    row.createdAt,
    row.updatedAt,
    row.createdBy,
    row.updatedBy,
  ];
}

const NO_MEDIA: readonly unknown[] = Array<unknown>(18).fill(null);
