import { Keyring } from '../../src/crypto/keyring.ts';
import { type DatabaseHandle, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { Store } from '../../src/store/store.ts';
import { TEST_SECRET } from './app.ts';

/** A migrated SQLite database: in memory unless a file is given. */
export async function openTestDatabase(filename = ':memory:'): Promise<{ database: DatabaseHandle; store: Store }> {
  const database = openDatabase({ dialect: 'sqlite', filename, isDefault: false, poolSize: 1 });
  await migrateToLatest(database);
  return { database, store: new Store(database.db, database.capabilities) };
}

export function testKeyring(...secrets: string[]): Keyring {
  return new Keyring(secrets.length > 0 ? secrets : [TEST_SECRET]);
}

/** Inserts a user row directly (no mail, no hashing unless a hash is given); confirmed unless told otherwise. */
export async function insertUser(
  store: Store,
  user: { id: string; email: string; passwordHash?: string | null; nowMs: number; name?: string | null; emailConfirmed?: boolean },
): Promise<void> {
  const created = await store.users.insertIfAbsent({
    id: user.id,
    email: user.email,
    emailCanonical: user.email.toLowerCase(),
    name: user.name ?? null,
    passwordHash: user.passwordHash ?? null,
    nowMs: user.nowMs,
    emailConfirmed: user.emailConfirmed ?? true,
  });
  if (!created) throw new Error(`user ${user.email} exists`);
}
