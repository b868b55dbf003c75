import { createHash } from 'node:crypto';
import { parseArgon2, verifyArgon2 } from './argon2.ts';
import { parseBcrypt, verifyBcrypt } from './bcrypt.ts';
import { boundedInteger, type LegacyScheme, LIMITS, type Parsed, parsed, pbkdf2Async, refused, sameBytes } from './scheme.ts';

/**
 * Django's `pbkdf2_sha256$ITER$salt$b64`, `argon2$argon2id$v=19$…` and `bcrypt_sha256$$2b$…`
 * (django.contrib.auth.hashers). PBKDF2 uses the salt as UTF-8 text and a 32-byte key;
 * bcrypt_sha256 bcrypts the hex SHA-256 of the password (so long passwords are not cut at 72 bytes).
 */
type DjangoParams =
  | { kind: 'pbkdf2'; iterations: number; salt: string; key: Buffer }
  | { kind: 'argon2'; inner: { phc: string } }
  | { kind: 'bcrypt_sha256'; inner: { cost: number; hash: string } };

const PBKDF2 = /^pbkdf2_sha256\$([0-9]+)\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;

function parseDjango(hash: string): Parsed<DjangoParams> {
  if (hash.startsWith('argon2$')) {
    const inner = parseArgon2(hash.slice('argon2'.length));
    return inner.ok ? parsed({ kind: 'argon2', inner: inner.params }) : inner;
  }
  if (hash.startsWith('bcrypt_sha256$')) {
    const inner = parseBcrypt(hash.slice('bcrypt_sha256$'.length));
    return inner.ok ? parsed({ kind: 'bcrypt_sha256', inner: inner.params }) : inner;
  }
  const match = PBKDF2.exec(hash);
  if (!match) return refused('not a Django hash (pbkdf2_sha256$, argon2$, bcrypt_sha256$)');
  const iterations = boundedInteger(match[1], 1, LIMITS.pbkdf2Iterations.sha256);
  if (iterations === undefined) return refused(`Django pbkdf2_sha256 iterations must be from 1 to ${LIMITS.pbkdf2Iterations.sha256}`);
  return parsed({ kind: 'pbkdf2', iterations, salt: match[2] as string, key: Buffer.from(match[3] as string, 'base64') });
}

export const django: LegacyScheme<DjangoParams> = {
  describe: (hash) => `django ${hash.split('$')[0]}`,
  matches: (hash) => hash.startsWith('pbkdf2_sha256$') || hash.startsWith('argon2$') || hash.startsWith('bcrypt_sha256$'),
  parse: parseDjango,
  async verify(params, password) {
    switch (params.kind) {
      case 'pbkdf2':
        return sameBytes(await pbkdf2Async(password, params.salt, params.iterations, 32, 'sha256'), params.key);
      case 'argon2':
        return verifyArgon2(params.inner, password);
      case 'bcrypt_sha256':
        return verifyBcrypt(params.inner, createHash('sha256').update(password).digest('hex'));
    }
  },
};
