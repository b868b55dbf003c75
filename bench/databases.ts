import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';

/** A database the benchmark can run the service on: how to get a DATABASE_URL for a fresh, empty one. */
export interface BenchDatabase {
  label: string;
  /** A DATABASE_URL for an empty database; `workDir` is a temp dir removed after the run. */
  prepare(workDir: string): Promise<{ databaseUrl: string; cleanup(): Promise<void> }>;
}

/** Server URLs to create scratch databases on: TEST_*_URL (as the tests), else this machine's defaults. */
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const scratchName = () => `latchkey_bench_${randomBytes(5).toString('hex')}`;

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}

function hidePassword(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** Databases selectable with `--db` (several, comma-separated, to compare them in one run). */
export const BENCH_DATABASES: Record<string, BenchDatabase> = {
  sqlite: {
    label: 'SQLite (better-sqlite3, WAL, file in a temp dir)',
    prepare: async (workDir) => ({ databaseUrl: `sqlite:${join(workDir, 'latchkey.db')}`, cleanup: async () => {} }),
  },
  postgres: {
    label: `PostgreSQL (pg, scratch database on ${hidePassword(POSTGRES_URL)})`,
    prepare: async () => {
      const name = scratchName();
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      return {
        databaseUrl: withDatabase(POSTGRES_URL, name),
        cleanup: async () => {
          const c = new pg.Client({ connectionString: POSTGRES_URL });
          await c.connect();
          await c.query(`drop database if exists ${name} with (force)`);
          await c.end();
        },
      };
    },
  },
  mysql: {
    label: `MySQL/MariaDB (mysql2, scratch database on ${hidePassword(MYSQL_URL)})`,
    prepare: async () => {
      const name = scratchName();
      const admin = await createConnection(MYSQL_URL);
      await admin.query(`create database ${name}`);
      await admin.end();
      return {
        databaseUrl: withDatabase(MYSQL_URL, name),
        cleanup: async () => {
          const c = await createConnection(MYSQL_URL);
          await c.query(`drop database if exists ${name}`);
          await c.end();
        },
      };
    },
  },
};
