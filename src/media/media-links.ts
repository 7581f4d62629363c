import { createHmac, timingSafeEqual } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { MEDIA_PATH } from '../config/http-surface.js';

/** What a presented link is: good, not ours (forged, altered, cut), or ours but past its time. */
export type LinkCheck = 'valid' | 'invalid' | 'expired';

/** The query parameters of a link. */
export const LINK_PARAMS = { tenant: 'tenant', expires: 'expires', signature: 'signature' } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROW_ID = /^[0-9A-Za-z]{1,26}$/;
const EXPIRES = /^\d{1,12}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Signed, expiring links to a media file, served by this service (GET /media/:id). A link names
 * one tenant and one media and an expiry, signed with HMAC-SHA256 (MEDIA_SIGNING_SECRET), so it
 * opens that file until then and nothing else: changing the id, the tenant or the expiry breaks
 * the signature, and the endpoint still checks that the media belongs to the link's tenant. A
 * link needs no token, which is what an <audio> element, a download or WAHA fetching a file to
 * send can use; it is short-lived for that reason.
 */
@Injectable()
export class MediaLinks {
  private readonly key: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.key = Buffer.from(config.media.signingSecret, 'utf8');
  }

  /** A dashboard's link: absolute, valid `ttlSeconds` (MEDIA_URL_TTL_SECONDS by default). */
  downloadUrl(tenantId: string, mediaId: string, ttlSeconds?: number, now = Date.now()): string {
    const ttl = ttlSeconds ?? this.config.media.urlTtlSeconds;
    return this.link(this.config.media.publicBaseUrl, tenantId, mediaId, ttl, now);
  }

  /**
   * The link WAHA fetches an outbound file from (through n8n's send step), on the base URL WAHA
   * reaches this service at, valid MEDIA_SEND_URL_TTL_SECONDS (n8n may retry a send for a while).
   */
  sendUrl(tenantId: string, mediaId: string, now = Date.now()): string {
    const { sendBaseUrl, publicBaseUrl, sendUrlTtlSeconds } = this.config.media;
    return this.link(sendBaseUrl ?? publicBaseUrl, tenantId, mediaId, sendUrlTtlSeconds, now);
  }

  /** Checks a presented link's parts in constant time; a malformed part is `invalid`. */
  verify(
    tenantId: unknown,
    mediaId: unknown,
    expires: unknown,
    signature: unknown,
    now = Date.now(),
  ): LinkCheck {
    if (
      typeof tenantId !== 'string' ||
      typeof mediaId !== 'string' ||
      typeof expires !== 'string' ||
      typeof signature !== 'string' ||
      !UUID.test(tenantId) ||
      !ROW_ID.test(mediaId) ||
      !EXPIRES.test(expires) ||
      !SIGNATURE.test(signature)
    ) {
      return 'invalid';
    }
    const expected = this.sign(tenantId, mediaId, expires);
    const given = Buffer.from(signature, 'base64url');
    // Only the one spelling we issue: the 43rd character carries 2 spare bits that decoding
    // ignores, so three other spellings of a signature would pass (a link altered in its last
    // character still downloading). Re-encoding the given bytes tells nothing about ours.
    if (given.toString('base64url') !== signature) return 'invalid';
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    // Checked after the signature: an altered expiry is a forgery, not an expired link.
    return Number(expires) * 1000 <= now ? 'expired' : 'valid';
  }

  private link(
    base: string | undefined,
    tenantId: string,
    mediaId: string,
    ttlSeconds: number,
    now: number,
  ): string {
    const expires = String(Math.floor(now / 1000) + ttlSeconds);
    const signature = this.sign(tenantId, mediaId, expires).toString('base64url');
    const query = new URLSearchParams({
      [LINK_PARAMS.tenant]: tenantId,
      [LINK_PARAMS.expires]: expires,
      [LINK_PARAMS.signature]: signature,
    });
    return `${base ?? this.localBaseUrl()}/${MEDIA_PATH}/${encodeURIComponent(mediaId)}?${query}`;
  }

  private sign(tenantId: string, mediaId: string, expires: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`media-link/v1\n${tenantId}\n${mediaId}\n${expires}`)
      .digest();
  }

  /**
   * MEDIA_PUBLIC_BASE_URL unset: this replica on loopback, at the port it listens on (which is
   * PORT, or the one the system chose for PORT=0).
   */
  private localBaseUrl(): string {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      { address(): AddressInfo | string | null } | undefined;
    const address = server?.address();
    const port = typeof address === 'object' && address ? address.port : this.config.port;
    return `http://127.0.0.1:${port}`;
  }
}
