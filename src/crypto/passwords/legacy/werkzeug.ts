import { boundedInteger, isPowerOfTwo, type LegacyScheme, LIMITS, parsed, pbkdf2Async, refused, sameBytes, scryptAsync } from './scheme.ts';

/**
 * werkzeug's `generate_password_hash` (Flask, the seed tutorial): `pbkdf2:sha256:ITER$salt$hex`
 * (also sha512) and werkzeug 3's `scrypt:N:r:p$salt$hex`. The salt is used as its UTF-8 text, the
 * key is as long as the digest (pbkdf2) or 64 bytes (scrypt), the password is its UTF-8 bytes.
 */
interface WerkzeugParams {
  kind: 'pbkdf2' | 'scrypt';
  digest: 'sha256' | 'sha512';
  iterations: number;
  N: number;
  r: number;
  p: number;
  salt: string;
  key: Buffer;
}

const SHAPE = /^(pbkdf2:[a-z0-9]+(?::[0-9]+)?|scrypt(?::[0-9]+){0,3})\$([\x21-\x23\x25-\x7e]{1,128})\$([0-9a-f]+)$/;

export const werkzeug: LegacyScheme<WerkzeugParams> = {
  describe: (hash) => `werkzeug ${hash.startsWith('scrypt') ? 'scrypt' : hash.split(':').slice(0, 2).join(':')}`,
  matches: (hash) => hash.startsWith('pbkdf2:') || hash.startsWith('scrypt:'),
  parse(hash) {
    const match = SHAPE.exec(hash);
    if (!match) return refused('not a werkzeug hash (method$salt$hex)');
    const [method, salt, hex] = match.slice(1) as [string, string, string];
    const key = Buffer.from(hex, 'hex');
    const parts = method.split(':');
    if (parts[0] === 'pbkdf2') {
      const digest = parts[1];
      if (digest !== 'sha256' && digest !== 'sha512') return refused(`werkzeug pbkdf2 with ${digest} is not supported (sha256, sha512)`);
      const max = LIMITS.pbkdf2Iterations[digest];
      const iterations = boundedInteger(parts[2], 1, max);
      if (iterations === undefined) return refused(`werkzeug pbkdf2 iterations must be from 1 to ${max}`);
      if (key.length !== (digest === 'sha256' ? 32 : 64)) return refused('werkzeug pbkdf2 key has the wrong length');
      return parsed({ kind: 'pbkdf2', digest, iterations, N: 0, r: 0, p: 0, salt, key });
    }
    const [N, r, p] = [
      boundedInteger(parts[1], 2, LIMITS.scryptNr),
      boundedInteger(parts[2], 1, 1024),
      boundedInteger(parts[3], 1, LIMITS.scryptP),
    ];
    if (N === undefined || r === undefined || p === undefined || !isPowerOfTwo(N))
      return refused('werkzeug scrypt needs N:r:p with N a power of two');
    if (N * r > LIMITS.scryptNr || N * r * p > LIMITS.scryptNrp) return refused('werkzeug scrypt parameters are too costly');
    if (key.length !== 64) return refused('werkzeug scrypt key has the wrong length');
    return parsed({ kind: 'scrypt', digest: 'sha256', iterations: 0, N, r, p, salt, key });
  },
  async verify(params, password) {
    const derived =
      params.kind === 'pbkdf2'
        ? await pbkdf2Async(password, params.salt, params.iterations, params.key.length, params.digest)
        : await scryptAsync(password, params.salt, params.key.length, params.N, params.r, params.p);
    return sameBytes(derived, params.key);
  },
};
