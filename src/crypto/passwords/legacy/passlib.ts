import { boundedInteger, type LegacyScheme, LIMITS, parsed, pbkdf2Async, refused, sameBytes } from './scheme.ts';

/**
 * passlib's `$pbkdf2-sha256$ROUNDS$salt$checksum` and `$pbkdf2-sha512$...` (Flask-Security-Too's
 * pbkdf2 schemes): salt and checksum in passlib's "adapted base64" (`.` for `+`, no padding), the
 * salt used as bytes, the key as long as the digest.
 */
interface PasslibParams {
  digest: 'sha256' | 'sha512';
  rounds: number;
  salt: Buffer;
  checksum: Buffer;
}

const SHAPE = /^\$pbkdf2-(sha256|sha512)\$([0-9]+)\$([A-Za-z0-9./]{0,172})\$([A-Za-z0-9./]+)$/;

/** passlib's ab64_decode: base64 with `.` for `+` and the padding left off. */
export function adaptedBase64(text: string): Buffer {
  return Buffer.from(text.replaceAll('.', '+'), 'base64');
}

export const passlibPbkdf2: LegacyScheme<PasslibParams> = {
  describe: (hash) => `passlib ${hash.split('$')[1]}`,
  matches: (hash) => hash.startsWith('$pbkdf2-'),
  parse(hash) {
    const match = SHAPE.exec(hash);
    if (!match) return refused('not a passlib $pbkdf2-sha256$ or $pbkdf2-sha512$ hash');
    const digest = match[1] as 'sha256' | 'sha512';
    const max = LIMITS.pbkdf2Iterations[digest];
    const rounds = boundedInteger(match[2], 1, max);
    if (rounds === undefined) return refused(`passlib pbkdf2 rounds must be from 1 to ${max}`);
    const checksum = adaptedBase64(match[4] as string);
    if (checksum.length !== (digest === 'sha256' ? 32 : 64)) return refused('passlib pbkdf2 checksum has the wrong length');
    return parsed({ digest, rounds, salt: adaptedBase64(match[3] as string), checksum });
  },
  async verify(params, password) {
    const derived = await pbkdf2Async(password, params.salt, params.rounds, params.checksum.length, params.digest);
    return sameBytes(derived, params.checksum);
  },
};
