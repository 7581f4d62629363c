import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * What every key starts with, so secret scanners (GitHub's, gitleaks, trufflehog) can find a
 * leaked one: `whk_`, 43 random base62 characters (256 bits), then a 6-character base62 CRC32
 * of those, so a scanner (and this service, before any lookup) can tell a key from look-alike
 * text offline, as GitHub's token format does. A JWT never starts with it (JWTs start `eyJ`).
 */
export const API_KEY_PREFIX = 'whk_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 43;
const CHECKSUM_CHARS = 6;
/** The whole key, for scanners: `whk_[0-9A-Za-z]{49}`. */
export const API_KEY_PATTERN = /^whk_[0-9A-Za-z]{49}$/;
/** How much of a key is kept in the clear, to tell keys apart in a list: the prefix and 8 characters. */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8;

/** Base62 characters from crypto bytes; bytes ≥ 248 are skipped, so every character is equally likely. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_CHARS; i++) {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** A new key: shown to its creator once, never stored. */
export function newApiKey(): string {
  const body = randomBase62(RANDOM_CHARS);
  return `${API_KEY_PREFIX}${body}${checksum(body)}`;
}

/** Whether a bearer value is meant as an API key (it may still be a broken or unknown one). */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}

/** Whether the key has the right shape and its checksum matches: a typo or a truncated copy fails here, without a lookup. */
export function wellFormedApiKey(value: string): boolean {
  if (!API_KEY_PATTERN.test(value)) return false;
  const body = value.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + RANDOM_CHARS);
  return value.endsWith(checksum(body));
}

/**
 * SHA-256 of the key, hex: what is stored and looked up. A fast hash is right here, unlike for
 * passwords: the key has 256 random bits, so no guessing or precomputed table can reach it, and
 * a slow hash (bcrypt, argon2) would only cost every request time while it rules out the indexed
 * lookup by hash (a salted hash cannot be looked up).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The part of a key shown in lists (`whk_AbCd1234`): enough to recognise it, far too little to use. */
export function shownPrefix(key: string): string {
  return key.slice(0, SHOWN_CHARS);
}
