import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  API_KEY_PATTERN,
  hashApiKey,
  looksLikeApiKey,
  newApiKey,
  shownPrefix,
  wellFormedApiKey,
} from '../../src/auth/api-key-secret.js';

/** The key format secret scanners are told about, and its checksum. */
describe('API key format', () => {
  const keys = Array.from({ length: 500 }, () => newApiKey());

  it('is whk_ and 49 base62 characters, never twice the same', () => {
    for (const key of keys) expect(key).toMatch(API_KEY_PATTERN);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every(looksLikeApiKey)).toBe(true);
  });

  it('carries a checksum that catches a changed, dropped or added character', () => {
    for (const key of keys.slice(0, 50)) {
      expect(wellFormedApiKey(key)).toBe(true);
      const at = 4 + (key.charCodeAt(10) % 49);
      const changed = `${key.slice(0, at)}${key[at] === 'x' ? 'y' : 'x'}${key.slice(at + 1)}`;
      expect(wellFormedApiKey(changed)).toBe(false);
      expect(wellFormedApiKey(key.slice(0, -1))).toBe(false);
      expect(wellFormedApiKey(`${key}0`)).toBe(false);
    }
    expect(wellFormedApiKey('eyJhbGciOiJIUzI1NiJ9.e30.x')).toBe(false);
    expect(looksLikeApiKey('eyJhbGciOiJIUzI1NiJ9.e30.x')).toBe(false);
  });

  it('uses every base62 character in the random part', () => {
    const seen = new Set(keys.flatMap((key) => [...key.slice(4, 47)]));
    expect(seen.size).toBe(62);
  });

  it('is stored as its SHA-256 and shown by its first 12 characters', () => {
    const key = keys[0]!;
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(shownPrefix(key)).toBe(key.slice(0, 12));
  });
});
