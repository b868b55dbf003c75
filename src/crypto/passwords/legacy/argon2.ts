import { verify } from '@node-rs/argon2';
import { boundedInteger, type LegacyScheme, LIMITS, parsed, refused } from './scheme.ts';

/**
 * Argon2 PHC strings written by other systems (passlib / Flask-Security-Too `$argon2id$`, Django
 * after its `argon2` prefix), with `@node-rs/argon2`. Unlike Latchkey's own hashes, the password
 * was not NFKC-normalised first, so these are verified with the password as typed. Memory, passes
 * and lanes are read from the hash and bounded.
 */
interface Argon2Params {
  phc: string;
}

const SHAPE = /^\$argon2(id|i|d)\$(?:v=(16|19)\$)?m=([0-9]+),t=([0-9]+),p=([0-9]+)\$([A-Za-z0-9+/]{8,128})\$([A-Za-z0-9+/]{16,256})$/;

export function parseArgon2(phc: string) {
  const match = SHAPE.exec(phc);
  if (!match) return refused('not an Argon2 PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)');
  const m = boundedInteger(match[3], 8, LIMITS.argon2MemoryKiB);
  const t = boundedInteger(match[4], 1, LIMITS.argon2TimeCost);
  const p = boundedInteger(match[5], 1, LIMITS.argon2Parallelism);
  if (m === undefined || t === undefined || p === undefined || m * t > LIMITS.argon2Work) {
    return refused(
      `Argon2 parameters are too costly (at most m=${LIMITS.argon2MemoryKiB} KiB, t=${LIMITS.argon2TimeCost}, p=${LIMITS.argon2Parallelism}, m·t=${LIMITS.argon2Work})`,
    );
  }
  return parsed<Argon2Params>({ phc });
}

export async function verifyArgon2(params: Argon2Params, password: string): Promise<boolean> {
  // The library compares the derived hash with the stored one in constant time.
  try {
    return await verify(params.phc, password);
  } catch {
    return false;
  }
}

export const argon2: LegacyScheme<Argon2Params> = {
  describe: (hash) => `argon2 (${hash.split('$')[1]})`,
  matches: (hash) => hash.startsWith('$argon2'),
  parse: parseArgon2,
  verify: verifyArgon2,
};
