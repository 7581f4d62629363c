import { defineEntity, p } from '@mikro-orm/core';
import { auditProperties } from '../common/audit.js';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';

export const MediaState = {
  /** Inbound: waiting for (or retrying) the copy out of WAHA. */
  PENDING: 'PENDING',
  /** The file is in the media store. */
  READY: 'READY',
  /** It will never be: `failureReason` says why (e.g. WAHA's file expired first). */
  FAILED: 'FAILED',
} as const;
export type MediaState = (typeof MediaState)[keyof typeof MediaState];

export const MediaDirection = {
  /** A received message's file, copied out of WAHA. */
  INBOUND: 'INBOUND',
  /** A file a dashboard uploaded to send. */
  OUTBOUND: 'OUTBOUND',
} as const;
export type MediaDirection = (typeof MediaDirection)[keyof typeof MediaDirection];

/**
 * A file of a message, kept in this service's media store (a local folder or S3), because WAHA
 * deletes its own copies after a short lifetime. A message names its media (messages.media_id),
 * not the other way round, so the store sits below the chats domain. The session is WAHA's
 * name, as on outbox rows: the download job needs it, and the tenant is the isolation key.
 * An inbound row is also its own download job (attempts, nextAttemptAt), claimed by one
 * replica at a time.
 */
export const MediaSchema = defineEntity({
  name: 'Media',
  tableName: 'media',
  filters: { tenant: tenantFilter },
  properties: {
    id: p.string().length(26).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    sessionId: p.string().length(54),
    direction: p.enum(() => MediaDirection),
    state: p.enum(() => MediaState).default(MediaState.PENDING),
    mimetype: p.string().length(255).nullable(),
    filename: p.string().length(255).nullable(),
    size: p.bigint('number').nullable(),
    /** Hex SHA-256 of the stored bytes. */
    sha256: p.string().length(64).nullable(),
    /** Where the bytes are in the media store; set when READY. */
    storageKey: p.string().length(300).nullable(),
    /** WAHA's URL of the file (inbound), as WAHA gave it. */
    sourceUrl: p.text().nullable(),
    failureReason: p.text().nullable(),
    attempts: p.integer().default(0),
    /** When the download job may run next (inbound PENDING only). */
    nextAttemptAt: p.datetime().nullable(),
    /** A replica that claimed the job owns it until then (crash-safe claim). */
    lockedUntil: p.datetime().nullable(),
    ...auditProperties,
  },
  indexes: [{ properties: ['state', 'nextAttemptAt'] }],
});

export class Media extends MediaSchema.class {}
MediaSchema.setClass(Media);
