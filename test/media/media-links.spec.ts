import { describe, expect, it } from '@jest/globals';
import { type HttpAdapterHost } from '@nestjs/core';
import { MediaLinks } from '../../src/media/media-links.js';
import { testConfig } from '../support/env.js';

const TENANT_A = '0a0a0a0a-0000-4000-8000-00000000000a';
const TENANT_B = '0b0b0b0b-0000-4000-8000-00000000000b';
const MEDIA = '01JZ0000000000000000000001';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function links(env: Record<string, string> = {}): MediaLinks {
  const config = testConfig({ MEDIA_PUBLIC_BASE_URL: 'https://hub.example.test/base', ...env });
  return new MediaLinks(config, { httpAdapter: undefined } as unknown as HttpAdapterHost);
}

function partsOf(link: string) {
  const url = new URL(link);
  return {
    path: url.pathname,
    mediaId: decodeURIComponent(url.pathname.split('/').at(-1)!),
    tenant: url.searchParams.get('tenant'),
    expires: url.searchParams.get('expires'),
    signature: url.searchParams.get('signature'),
  };
}

describe('MediaLinks', () => {
  const media = links();

  it('makes an absolute link to one media of one tenant, valid for MEDIA_URL_TTL_SECONDS', () => {
    const link = media.downloadUrl(TENANT_A, MEDIA, undefined, NOW);
    const parts = partsOf(link);
    expect(link.startsWith(`https://hub.example.test/base/media/${MEDIA}?`)).toBe(true);
    expect(parts).toMatchObject({ tenant: TENANT_A, expires: String(NOW / 1000 + 300) });
    expect(media.verify(parts.tenant, parts.mediaId, parts.expires, parts.signature, NOW)).toBe('valid');
    // Still valid one second before its end, expired at it.
    expect(media.verify(parts.tenant, MEDIA, parts.expires, parts.signature, NOW + 299_000)).toBe('valid');
    expect(media.verify(parts.tenant, MEDIA, parts.expires, parts.signature, NOW + 300_000)).toBe('expired');
  });

  it('takes a ttl of the caller, and gives WAHA a longer one on its own base URL', () => {
    expect(partsOf(media.downloadUrl(TENANT_A, MEDIA, 30, NOW)).expires).toBe(String(NOW / 1000 + 30));
    const send = links({
      MEDIA_SEND_BASE_URL: 'http://whatsapp-hub:3000',
      MEDIA_SEND_URL_TTL_SECONDS: '7200',
    });
    const link = send.sendUrl(TENANT_A, MEDIA, NOW);
    expect(link.startsWith(`http://whatsapp-hub:3000/media/${MEDIA}?`)).toBe(true);
    const parts = partsOf(link);
    expect(parts.expires).toBe(String(NOW / 1000 + 7200));
    expect(send.verify(parts.tenant, MEDIA, parts.expires, parts.signature, NOW + 7_000_000)).toBe('valid');
    // Without MEDIA_SEND_BASE_URL, WAHA is sent to the public base URL.
    expect(media.sendUrl(TENANT_A, MEDIA, NOW).startsWith('https://hub.example.test/base/media/')).toBe(true);
  });

  it('refuses any altered part: another tenant, another media, a later expiry, another signature', () => {
    const { tenant, expires, signature } = partsOf(media.downloadUrl(TENANT_A, MEDIA, undefined, NOW));
    const flipped = signature!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    // The last character's 2 spare bits: the same bytes once decoded, another spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature!.at(-1)!);
    const respelled = signature!.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(signature!, 'base64url'));
    expect({
      otherTenant: media.verify(TENANT_B, MEDIA, expires, signature, NOW),
      otherMedia: media.verify(tenant, '01JZ0000000000000000000002', expires, signature, NOW),
      // A forged expiry is a forgery, not an expired link, even once the real one has passed.
      laterExpiry: media.verify(tenant, MEDIA, String(Number(expires) + 3600), signature, NOW + 400_000),
      otherSignature: media.verify(tenant, MEDIA, expires, flipped, NOW),
      respelledSignature: media.verify(tenant, MEDIA, expires, respelled, NOW),
      shortSignature: media.verify(tenant, MEDIA, expires, signature!.slice(0, 20), NOW),
      noSignature: media.verify(tenant, MEDIA, expires, undefined, NOW),
      arraySignature: media.verify(tenant, MEDIA, expires, [signature], NOW),
      notANumber: media.verify(tenant, MEDIA, '1e12', signature, NOW),
    }).toEqual({
      otherTenant: 'invalid',
      otherMedia: 'invalid',
      laterExpiry: 'invalid',
      otherSignature: 'invalid',
      respelledSignature: 'invalid',
      shortSignature: 'invalid',
      noSignature: 'invalid',
      arraySignature: 'invalid',
      notANumber: 'invalid',
    });
  });

  it('signs with MEDIA_SIGNING_SECRET, else a key derived from JWT_SECRET: another key, another signature', () => {
    const { tenant, expires, signature } = partsOf(media.downloadUrl(TENANT_A, MEDIA, undefined, NOW));
    const otherJwt = links({ JWT_SECRET: 'another-jwt-secret-of-at-least-32-characters' });
    const ownKey = links({ MEDIA_SIGNING_SECRET: 's'.repeat(32) });
    expect(otherJwt.verify(tenant, MEDIA, expires, signature, NOW)).toBe('invalid');
    expect(ownKey.verify(tenant, MEDIA, expires, signature, NOW)).toBe('invalid');
    const own = partsOf(ownKey.downloadUrl(TENANT_A, MEDIA, undefined, NOW));
    expect(ownKey.verify(own.tenant, MEDIA, own.expires, own.signature, NOW)).toBe('valid');
    // The derived key is not JWT_SECRET itself.
    expect(testConfig().media.signingSecret).not.toBe(testConfig().jwt.secret);
  });
});
