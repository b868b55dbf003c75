import { pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * One legacy password-hash format: recognised by its shape, its parameters read from the hash
 * itself and checked against upper bounds (S30), verified with node:crypto or a kept library.
 * Verify-only: Latchkey never writes these, it replaces them with Argon2id at the next sign-in.
 */
export interface LegacyScheme<P> {
  /** What `latchkey users show` calls the hash's format, e.g. `werkzeug pbkdf2:sha256`. */
  describe(hash: string): string;
  matches(hash: string): boolean;
  /** The parameters, or why the hash is refused (malformed, or too costly to ever verify). */
  parse(hash: string): Parsed<P>;
  verify(params: P, password: string): Promise<boolean>;
}

export type Parsed<P> = { ok: true; params: P } | { ok: false; reason: string };

export const parsed = <P>(params: P): Parsed<P> => ({ ok: true, params });
export const refused = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/**
 * Upper bounds on what one verification may cost, so that a hostile import cannot make a single
 * sign-in take seconds or hundreds of MiB. They sit above every default of the systems we import
 * from (werkzeug 3.1 and Django 5.2 use 1,000,000 PBKDF2 iterations; bcrypt cost 12; scrypt
 * 128·N·r = 32 MiB; Django's Argon2 m=100 MiB, t=2).
 */
export const LIMITS = {
  pbkdf2Iterations: { sha256: 1_200_000, sha512: 1_000_000 },
  /** scrypt memory is 128·N·r bytes: N·r ≤ 2^19 is 64 MiB. */
  scryptNr: 2 ** 19,
  /** scrypt work is about N·r·p. */
  scryptNrp: 2 ** 20,
  scryptP: 16,
  bcryptCost: 13,
  argon2MemoryKiB: 131_072,
  argon2TimeCost: 10,
  /** memory × passes, in KiB. */
  argon2Work: 2 ** 19,
  argon2Parallelism: 16,
  saltLength: 128,
  hashLength: 512,
} as const;

export const pbkdf2Async = promisify(pbkdf2);

export function scryptAsync(
  password: Buffer | string,
  salt: Buffer | string,
  length: number,
  N: number,
  r: number,
  p: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem a little above 128·N·r: the bounds above already capped it.
    scrypt(password, salt, length, { N, r, p, maxmem: 129 * N * r + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Constant-time equality of a derived key and the expected one (their lengths are public). */
export function sameBytes(derived: Buffer, expected: Buffer): boolean {
  return derived.length === expected.length && expected.length > 0 && timingSafeEqual(derived, expected);
}

/** A whole decimal number in [min, max] (no signs, no leading zeros beyond "0"), or undefined. */
export function boundedInteger(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

export const isPowerOfTwo = (n: number): boolean => n >= 2 && (n & (n - 1)) === 0;
