import { type Readable } from 'node:stream';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { newRowId } from '../database/row-ids.js';
import { type MediaDirection, type MediaState } from './media.entity.js';
import { mediaInsertSql, mediaValues, newOutboundMedia } from './media-rows.js';
import { type ByteRange, MEDIA_STORE, type MediaStore, storageKeyOf } from './media-store.js';

/** A media row as the file endpoints need it. */
export interface MediaFile {
  id: string;
  tenantId: string;
  direction: MediaDirection;
  state: MediaState;
  mimetype: string | null;
  filename: string | null;
  size: number | null;
  sha256: string | null;
  storageKey: string | null;
  failureReason: string | null;
}

interface MediaFileRow {
  id: string;
  tenant_id: string;
  direction: MediaDirection;
  state: MediaState;
  mimetype: string | null;
  filename: string | null;
  size: string | number | null;
  sha256: string | null;
  storage_key: string | null;
  failure_reason: string | null;
}

export class EmptyUploadError extends Error {
  constructor() {
    super('The file is empty');
    this.name = 'EmptyUploadError';
  }
}

/**
 * Media files in and out: a tenant's media by id (for a signed link, which names the tenant),
 * its bytes from the store, and a dashboard's upload stored and written as an OUTBOUND media,
 * READY for its tenant. Every read names the tenant in its WHERE, so an id of another tenant is
 * simply not found.
 */
@Injectable()
export class MediaFiles {
  constructor(
    private readonly em: EntityManager,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async find(tenantId: string, mediaId: string): Promise<MediaFile | null> {
    const [row] = (await this.em.getConnection().execute(
      `select id, tenant_id, direction, state, mimetype, filename, size, sha256, storage_key, failure_reason
         from media where id = ? and tenant_id = ?`,
      [mediaId, tenantId],
    )) as MediaFileRow[];
    return row ? fileOf(row) : null;
  }

  /** The bytes of a READY file, or `range` of them. */
  open(file: MediaFile, range?: ByteRange): Promise<Readable> {
    if (!file.storageKey) throw new Error(`Media ${file.id} has no file in the store`);
    return this.store.get(file.storageKey, range);
  }

  /**
   * Stores `body` (at most MEDIA_MAX_BYTES, refused while it streams) and writes its row, READY.
   * A row is written only for a file that is stored, and a file whose row could not be written
   * is removed again.
   */
  async upload(input: {
    tenantId: string;
    sessionId: string;
    actor: Actor;
    body: Readable;
    mimetype: string;
    filename: string | null;
  }): Promise<MediaFile> {
    const id = newRowId();
    const key = storageKeyOf(input.tenantId, id);
    const stored = await this.store.put(key, input.body, {
      maxBytes: this.config.media.maxBytes,
      contentType: input.mimetype,
    });
    try {
      if (stored.size === 0) throw new EmptyUploadError();
      const row = newOutboundMedia(
        { tenantId: input.tenantId, sessionId: input.sessionId },
        { ...stored, storageKey: stored.key, mimetype: input.mimetype, filename: input.filename },
        input.actor,
        id,
      );
      await this.em.getConnection().execute(mediaInsertSql(), mediaValues(row));
      return {
        id,
        tenantId: input.tenantId,
        direction: row.direction,
        state: row.state,
        mimetype: row.mimetype,
        filename: row.filename,
        size: stored.size,
        sha256: stored.sha256,
        storageKey: stored.key,
        failureReason: null,
      };
    } catch (error) {
      await this.store.delete(key).catch(() => undefined);
      throw error;
    }
  }
}

function fileOf(row: MediaFileRow): MediaFile {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    direction: row.direction,
    state: row.state,
    mimetype: row.mimetype,
    filename: row.filename,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    storageKey: row.storage_key,
    failureReason: row.failure_reason,
  };
}
