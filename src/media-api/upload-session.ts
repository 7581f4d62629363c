import { type EntityManager } from '@mikro-orm/core';
import { type Request } from 'express';
import { isCleanId } from '../common/storable.js';
import { MediaApiError, MediaErrorCode } from './media-errors.js';

/**
 * The session an upload is for: `?sessionId=`, which must be one of the caller's tenant's
 * sessions (another tenant's is not found, as an unknown one), or '' for a file of the tenant
 * that any of its sessions may send. The media row keeps it (its session_id is not null).
 */
export async function uploadSessionId(em: EntityManager, req: Request, tenantId: string): Promise<string> {
  const sessionId = req.query['sessionId'];
  if (sessionId === undefined) return '';
  if (!isCleanId(sessionId, 54)) {
    throw new MediaApiError(400, MediaErrorCode.MEDIA_BAD_REQUEST, 'sessionId must be a session id');
  }
  const found = await em
    .getConnection()
    .execute(`select 1 from whatsapp_sessions where id = ? and tenant_id = ? and deleted_at is null`, [
      sessionId,
      tenantId,
    ]);
  if (found.length === 0) {
    throw new MediaApiError(
      404,
      MediaErrorCode.MEDIA_SESSION_NOT_FOUND,
      `Session ${JSON.stringify(sessionId)} was not found`,
    );
  }
  return sessionId;
}
