import { join } from 'node:path';

/** A database the benchmark can run the service on: how to get a DATABASE_URL for a fresh, empty one. */
export interface BenchDatabase {
  label: string;
  /** A DATABASE_URL for an empty database; `workDir` is a temp dir removed after the run. */
  prepare(workDir: string): Promise<{ databaseUrl: string; cleanup(): Promise<void> }>;
}

/**
 * Databases selectable with `--db`. PostgreSQL and MariaDB get an entry here when Latchkey
 * supports them (e.g. reading a server URL from BENCH_POSTGRES_URL and creating a scratch schema).
 */
export const BENCH_DATABASES: Record<string, BenchDatabase> = {
  sqlite: {
    label: 'SQLite (better-sqlite3, WAL, file in a temp dir)',
    prepare: async (workDir) => ({ databaseUrl: `sqlite:${join(workDir, 'latchkey.db')}`, cleanup: async () => {} }),
  },
};
