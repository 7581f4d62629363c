import { pipeline } from 'node:stream/promises';
import { EntityManager } from '@mikro-orm/core';
import { Controller, Get, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { create as contentDisposition } from 'content-disposition';
import { type Request, type Response } from 'express';
import { combineRanges, parse as parseRange } from 'range-parser';
import { CurrentAuth, PublicAccess, RequireScope, Scope, TenantAccess } from '../auth/access.decorators.js';
import { type AuthContext, Role } from '../auth/auth-context.js';
import { toGlobalId } from '../common/global-ids.js';
import { userActor } from '../common/audit.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { MEDIA_PATH } from '../config/http-surface.js';
import { MediaState } from '../media/media.entity.js';
import { failureCodeOf, MediaFailure } from '../media/media-failures.js';
import { EmptyUploadError, type MediaFile, MediaFiles } from '../media/media-files.js';
import { LINK_PARAMS, MediaLinks } from '../media/media-links.js';
import { type ByteRange, MediaObjectMissingError, MediaTooLargeError } from '../media/media-store.js';
import { MediaApiError, MediaErrorCode, sendMediaError } from './media-errors.js';
import { uploadSessionId } from './upload-session.js';
import {
  allowedType,
  bytesMatch,
  essenceOf,
  sniff,
  type SniffedBody,
  uploadFilename,
} from './upload-checks.js';

/** Types a browser may show in the page; anything else (SVG and HTML included) is downloaded. */
const INLINE = /^(image\/(jpeg|png|webp|gif)|audio\/|video\/)/;

const query = (req: Request, name: string): unknown => req.query[name];

/**
 * Message files over plain HTTP, where GraphQL is the wrong tool: GET serves a file by a signed
 * link (MediaLinks; the link is the credential, so an <img>, <audio> or WAHA can use it), with
 * ranges for seeking in audio and video; POST takes a dashboard's upload (its bearer token) as
 * the raw body, streamed into the store. Raw rather than multipart: one file per request needs
 * no envelope, the body streams straight into the store, and the limits apply as it arrives.
 */
@Controller(MEDIA_PATH)
export class MediaController {
  private readonly logger = new Logger(MediaController.name);

  constructor(
    private readonly files: MediaFiles,
    private readonly links: MediaLinks,
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @PublicAccess('A signed, expiring link (MediaLinks) is the credential; the handler verifies it')
  @Get(':id')
  async download(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const file = await this.linkedFile(id, req);
      await this.serve(file, req, res);
    } catch (error) {
      if (error instanceof MediaApiError) return sendMediaError(res, error);
      throw error;
    }
  }

  @TenantAccess(Role.ADMIN, Role.MEMBER)
  @RequireScope(Scope.SEND)
  @Post()
  async upload(@CurrentAuth() auth: AuthContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    let body: SniffedBody | undefined;
    try {
      const { maxBytes, uploadTypes } = this.config.media;
      const mimetype = allowedType(req.headers['content-type'], uploadTypes);
      const filename = uploadFilename(query(req, 'filename'), req.headers['content-disposition']);
      const sessionId = await uploadSessionId(this.em, req, auth.tenantId);
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
      body = await sniff(req);
      const { detected, stream } = body;
      if (detected && !bytesMatch(mimetype, detected)) {
        throw new MediaApiError(
          415,
          MediaErrorCode.MEDIA_TYPE_NOT_ALLOWED,
          `The file's bytes are ${essenceOf(detected)}, not the ${essenceOf(mimetype)} it is declared as`,
          { declared: essenceOf(mimetype), detected: essenceOf(detected) },
        );
      }
      const file = await this.files.upload({
        tenantId: auth.tenantId,
        sessionId,
        actor: userActor(auth.userId),
        body: stream,
        mimetype,
        filename,
      });
      res.status(201).json({
        id: toGlobalId('WhatsappMedia', file.id),
        mimetype: file.mimetype,
        filename: file.filename,
        size: file.size,
        sha256: file.sha256,
      });
    } catch (error) {
      const refusal = uploadRefusal(error, this.config.media.maxBytes);
      if (!refusal) throw error;
      sendMediaError(res, refusal);
      // The rest of a refused body is read and dropped (Node drops it by itself only when
      // nothing read it), so the client reads the answer once it has sent its body: a
      // connection closed under a client still sending can lose the answer to a reset.
      if (body) body.discardRest();
      else if (!req.readableEnded) req.resume();
    }
  }

  /** The media a link opens: genuine and unexpired, of the link's tenant, READY. */
  private async linkedFile(id: string, req: Request): Promise<MediaFile> {
    const tenantId = query(req, LINK_PARAMS.tenant);
    const check = this.links.verify(
      tenantId,
      id,
      query(req, LINK_PARAMS.expires),
      query(req, LINK_PARAMS.signature),
    );
    if (check === 'invalid') {
      throw new MediaApiError(403, MediaErrorCode.MEDIA_LINK_INVALID, 'This media link is not valid');
    }
    if (check === 'expired') {
      throw new MediaApiError(
        403,
        MediaErrorCode.MEDIA_LINK_EXPIRED,
        'This media link has expired: read the media again for a fresh downloadUrl',
      );
    }
    const file = await this.files.find(tenantId as string, id);
    if (!file) throw notFound();
    if (file.state === MediaState.PENDING) {
      throw new MediaApiError(
        409,
        MediaErrorCode.MEDIA_NOT_READY,
        'The file is still being copied from WhatsApp: try again shortly',
        undefined,
        { 'retry-after': '2' },
      );
    }
    if (file.state === MediaState.FAILED) {
      const code = failureCodeOf(file.failureReason);
      const details = { reason: code ?? MediaErrorCode.MEDIA_FAILED };
      const message = file.failureReason ?? 'The file could not be kept';
      throw code === MediaFailure.MEDIA_EXPIRED
        ? new MediaApiError(410, MediaErrorCode.MEDIA_EXPIRED, message, details)
        : new MediaApiError(422, MediaErrorCode.MEDIA_FAILED, message, details);
    }
    return file;
  }

  private async serve(file: MediaFile, req: Request, res: Response): Promise<void> {
    const size = file.size ?? 0;
    const mimetype = file.mimetype ?? 'application/octet-stream';
    const etag = `"${file.sha256}"`;
    res.set({
      'content-type': mimetype,
      'content-disposition': contentDisposition(file.filename ?? undefined, {
        type: INLINE.test(essenceOf(mimetype)) ? 'inline' : 'attachment',
      }),
      'accept-ranges': 'bytes',
      etag,
      // A file never changes under its id; the link that opened it is the short-lived part.
      'cache-control': 'private, max-age=300, immutable',
      // What was uploaded is served as data only: never sniffed into HTML, never scripted.
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    const range = this.rangeOf(req, size, etag);
    if (range) {
      res.status(206).set({
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
        'content-length': String(range.end - range.start + 1),
      });
    } else {
      res.status(200).set('content-length', String(size));
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let body;
    try {
      body = await this.files.open(file, range ?? undefined);
    } catch (error) {
      if (!(error instanceof MediaObjectMissingError)) throw error;
      this.logger.error(`Media ${file.id} is READY but its file is missing from the store`);
      throw notFound();
    }
    // A client that goes away mid-file (seeking in audio does) ends the pipeline: not an error.
    await pipeline(body, res).catch(() => undefined);
  }

  /**
   * The one range asked for, when it applies. A malformed header is ignored (the whole file), as
   * are several ranges (no multipart answers: players ask for one range at a time).
   */
  private rangeOf(req: Request, size: number, etag: string): ByteRange | null {
    const header = req.headers.range;
    if (!header || header.length > 200) return null;
    const ifRange = req.headers['if-range'];
    if (ifRange !== undefined && ifRange !== etag) return null;
    const parsed = parseRange(size, header);
    if (parsed.type !== 'bytes' || parsed.code & 1) return null;
    if (parsed.ranges.length === 0) {
      if (size === 0) return null;
      throw new MediaApiError(
        416,
        MediaErrorCode.MEDIA_RANGE_NOT_SATISFIABLE,
        `The range is outside the file (${size} bytes)`,
        { size },
        { 'content-range': `bytes */${size}` },
      );
    }
    const ranges = combineRanges(parsed.ranges);
    return ranges.length === 1 ? { start: ranges[0]!.start, end: ranges[0]!.end } : null;
  }
}

function notFound(): MediaApiError {
  return new MediaApiError(404, MediaErrorCode.MEDIA_NOT_FOUND, 'No such media');
}

function tooLarge(maxBytes: number): MediaApiError {
  return new MediaApiError(413, MediaErrorCode.MEDIA_TOO_LARGE, `The file is larger than ${maxBytes} bytes`, {
    maxBytes,
  });
}

/** An upload's failure as its answer, or null for a fault (the global handler's). */
function uploadRefusal(error: unknown, maxBytes: number): MediaApiError | null {
  if (error instanceof MediaApiError) return error;
  if (error instanceof MediaTooLargeError) return tooLarge(maxBytes);
  if (error instanceof EmptyUploadError) {
    return new MediaApiError(400, MediaErrorCode.MEDIA_EMPTY, 'The file is empty');
  }
  return null;
}
