import { type LegacyScheme, parsed, refused, sameBytes, scryptAsync } from './scheme.ts';

/**
 * Better Auth's default `saltHex:keyHex`: scrypt with N=16384, r=16, p=1 and a 64-byte key, over
 * the NFKC-normalised password, the salt being the 32-character hex text itself (not its bytes).
 * The parameters are fixed by Better Auth (not in the hash), and within every bound.
 */
interface BetterAuthParams {
  salt: string;
  key: Buffer;
}

const SHAPE = /^([0-9a-f]{32}):([0-9a-f]{128})$/;
const PARAMS = { N: 16_384, r: 16, p: 1, length: 64 } as const;

export const betterAuth: LegacyScheme<BetterAuthParams> = {
  describe: () => 'better-auth scrypt',
  matches: (hash) => SHAPE.test(hash),
  parse(hash) {
    const match = SHAPE.exec(hash);
    if (!match) return refused('not a Better Auth hash (32 hex characters, a colon, 128 hex characters)');
    return parsed({ salt: match[1] as string, key: Buffer.from(match[2] as string, 'hex') });
  },
  async verify(params, password) {
    const derived = await scryptAsync(password.normalize('NFKC'), params.salt, PARAMS.length, PARAMS.N, PARAMS.r, PARAMS.p);
    return sameBytes(derived, params.key);
  },
};
