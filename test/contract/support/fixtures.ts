import { randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../../../src/store/store.ts';

/** A fixed "now" with a non-zero millisecond part, so BIGINT round trips are checked exactly. */
export const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0, 123);

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
}

/** A 43-character base64url digest, like the HMAC digests the app stores. */
export function randomDigest(): string {
  return randomBytes(32).toString('base64url');
}

export async function createUser(store: Store, email = uniqueEmail()): Promise<{ id: string; email: string }> {
  const id = randomUUID();
  const created = await store.users.insertIfAbsent({
    id,
    email,
    emailCanonical: email.toLowerCase(),
    name: null,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
    nowMs: NOW_MS,
  });
  if (!created) throw new Error(`fixture user ${email} already exists`);
  return { id, email };
}
