import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Outside production, with no SECRET_KEYS, a random key is generated once into DATA_DIR/secret-key
 * (mode 0600, the directory 0700 when created here) so links and sessions survive restarts.
 * Production must set SECRET_KEYS. The caller checks the key's length (an empty or truncated file
 * must never become a publicly known key).
 */
export function readOrCreateDevSecret(dataDir: string): { key: string; file: string } {
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64url');
  // Written whole to a private temporary file, then linked into place: the link either creates
  // `secret-key` with its full content or fails because it exists, so a second process (serve
  // and worker started together) never reads a file that is created but not yet written.
  const temporary = join(dataDir, `.secret-key-${process.pid}-${randomBytes(6).toString('hex')}`);
  writeFileSync(temporary, `${key}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { key: readFileSync(file, 'utf8').trim(), file };
    throw error;
  } finally {
    unlinkSync(temporary);
  }
  return { key, file };
}
