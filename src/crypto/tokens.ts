import { createHash, createHmac } from 'node:crypto';
import type { RandomSource } from '../kernel/random.ts';
import type { Keyring } from './keyring.ts';

/** 32 random bytes, base64url: 256 bits, 43 characters (S1). */
export const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function generateToken(random: RandomSource): string {
  return random.bytes(TOKEN_BYTES).toString('base64url');
}

/** Cheap shape check before any lookup: a string that is not a token never reaches the database. */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/**
 * Digests stored instead of tokens (S2): HMAC-SHA-256 under the server key. The first key's
 * digest is written; lookups try the digest under every key, so rotation keeps old links valid.
 * A lookup by digest is an index seek on a keyed hash, which leaks nothing useful by timing.
 */
export class TokenDigester {
  constructor(private readonly keyring: Keyring) {}

  digest(token: string): string {
    return createHmac('sha256', this.keyring.signingKey('token-digest')).update(token).digest('base64url');
  }

  candidateDigests(token: string): string[] {
    return this.keyring.keys('token-digest').map((key) => createHmac('sha256', key).update(token).digest('base64url'));
  }
}

/** Session tokens are stored as plain SHA-256 (S22): they are 256-bit random, so no key is needed. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
