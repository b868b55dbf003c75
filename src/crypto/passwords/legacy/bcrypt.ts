import { bcryptInThread } from './bcrypt-threads.ts';
import { boundedInteger, type LegacyScheme, LIMITS, parsed, refused, sameBytes } from './scheme.ts';

/**
 * bcrypt `$2a$`/`$2b$`/`$2y$COST$<22 salt><31 hash>` (passlib, Flask-Security-Too, Devise, PHP),
 * with `bcryptjs` in a worker thread. The password is re-hashed under the stored salt and the two strings are
 * compared in constant time. Like every bcrypt, only the first 72 bytes of the password count.
 */
interface BcryptParams {
  cost: number;
  hash: string;
}

const SHAPE = /^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$/;

export function parseBcrypt(hash: string) {
  const match = SHAPE.exec(hash);
  if (!match) return refused('not a bcrypt hash ($2b$COST$ and 53 characters)');
  const cost = boundedInteger(match[1]?.replace(/^0/, ''), 4, LIMITS.bcryptCost);
  if (cost === undefined) return refused(`bcrypt cost must be from 4 to ${LIMITS.bcryptCost}`);
  return parsed<BcryptParams>({ cost, hash });
}

export async function verifyBcrypt(params: BcryptParams, password: string): Promise<boolean> {
  const computed = await bcryptInThread(password, params.hash.slice(0, 29));
  return sameBytes(Buffer.from(computed), Buffer.from(params.hash));
}

export const bcrypt: LegacyScheme<BcryptParams> = {
  describe: () => 'bcrypt',
  matches: (hash) => hash.startsWith('$2'),
  parse: parseBcrypt,
  verify: verifyBcrypt,
};
