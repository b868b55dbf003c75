import { type MigrationResultSet, Migrator } from 'kysely';
import type { DatabaseTarget } from '../config/database-url.ts';
import { type DatabaseHandle, migratesItself } from './database.ts';
import { allMigrations } from './migrations/index.ts';

function migrator(database: Pick<DatabaseHandle, 'db' | 'capabilities'>): Migrator {
  return new Migrator({ db: database.db, provider: { getMigrations: async () => allMigrations(database.capabilities) } });
}

/**
 * Applies every pending migration (each in its own transaction where the engine allows DDL in
 * one; several nodes starting at once are serialised by Kysely's lock table); returns the names
 * applied. Throws naming the failing migration.
 */
export async function migrateToLatest(database: Pick<DatabaseHandle, 'db' | 'capabilities'>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(database).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${String((result.error as Error).message ?? result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Every migration this version has, in order, with when it was applied (undefined: pending). */
export async function migrationStatus(
  database: Pick<DatabaseHandle, 'db' | 'capabilities'>,
): Promise<Array<{ name: string; appliedAt: Date | undefined }>> {
  const all = await migrator(database).getMigrations();
  return all.map((m) => ({ name: m.name, appliedAt: m.executedAt }));
}

/** Names of migrations not yet applied, in order. */
export async function pendingMigrations(database: Pick<DatabaseHandle, 'db' | 'capabilities'>): Promise<string[]> {
  const all = await migrator(database).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** The schema is behind the code: `serve` refuses to start and `/readyz` is not ready. */
export class SchemaBehindError extends Error {
  constructor(readonly pending: string[]) {
    super(
      `The database schema is behind this version of Latchkey (pending migrations: ${pending.join(', ')}). ` +
        'Run `latchkey migrate` (with the same DATABASE_URL) and start again.',
    );
    this.name = 'SchemaBehindError';
  }
}

/**
 * Before serving: the embedded SQLite default (and an in-memory database, which nothing else can
 * reach) migrates itself; any other database must already be current, so that a deploy never
 * changes a shared schema as a side effect of starting a node.
 */
export async function ensureSchemaCurrent(
  database: Pick<DatabaseHandle, 'db' | 'capabilities'>,
  target: DatabaseTarget,
): Promise<string[]> {
  if (migratesItself(target)) return migrateToLatest(database);
  const pending = await pendingMigrations(database);
  if (pending.length > 0) throw new SchemaBehindError(pending);
  return [];
}
