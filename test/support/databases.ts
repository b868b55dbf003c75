import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseTarget } from '../../src/config/database-url.ts';
import { type DatabaseHandle, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { Store } from '../../src/store/store.ts';

export type EngineName = 'sqlite' | 'postgres' | 'mysql';

export interface Engine {
  name: EngineName;
  /** Why the engine's suites do not run here, or undefined when they do. */
  skipReason: string | undefined;
}

/** The engines contract suites run on: SQLite always, the servers when their URL is set. */
export const ENGINES: readonly Engine[] = [
  { name: 'sqlite', skipReason: undefined },
  {
    name: 'postgres',
    skipReason: process.env.TEST_POSTGRES_URL
      ? undefined
      : 'SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test; .ci/run sets it)',
  },
  {
    name: 'mysql',
    skipReason: process.env.TEST_MYSQL_URL
      ? undefined
      : 'SKIPPED on MySQL/MariaDB: TEST_MYSQL_URL is not set (e.g. mysql://root@127.0.0.1:3306/test; .ci/run sets it)',
  },
];

/** A fresh, migrated, isolated database: its own file (SQLite) or its own uniquely named database on the server. */
export interface TestDatabase {
  engine: EngineName;
  /** DATABASE_URL of this database, for starting a service on it. */
  url: string;
  target: DatabaseTarget;
  /** The handle opened (and migrated) with the database. */
  handle: DatabaseHandle;
  store: Store;
  /** Another, separate connection pool to the same database (closed by drop()). */
  open(poolSize?: number): DatabaseHandle;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Creates an empty database (no migrations); the server's own database is only used to connect. */
export async function createEmptyDatabase(
  engine: EngineName,
  poolSize = 20,
): Promise<Omit<TestDatabase, 'handle' | 'store'> & { handle: DatabaseHandle }> {
  const name = `latchkey_t_${randomBytes(6).toString('hex')}`;
  const opened: DatabaseHandle[] = [];
  let target: DatabaseTarget;
  let url: string;
  let dropServerDatabase: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-contract-'));
    url = `sqlite:${join(dir, `${name}.db`)}`;
    target = { dialect: 'sqlite', filename: join(dir, `${name}.db`), isDefault: false, poolSize: 1 };
    dropServerDatabase = async () => rmSync(dir, { recursive: true, force: true });
  } else if (engine === 'postgres') {
    const admin = process.env.TEST_POSTGRES_URL as string;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    url = withDatabase(admin, name);
    target = { dialect: 'postgres', url, isDefault: false, poolSize };
    dropServerDatabase = async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  } else {
    const admin = process.env.TEST_MYSQL_URL as string;
    const connection = await createConnection(admin);
    await connection.query(`create database ${name}`);
    await connection.end();
    url = withDatabase(admin, name);
    target = { dialect: 'mysql', url, isDefault: false, poolSize };
    dropServerDatabase = async () => {
      const c = await createConnection(admin);
      await c.query(`drop database if exists ${name}`);
      await c.end();
    };
  }
  const handle = openDatabase(target);
  opened.push(handle);
  // better-sqlite3 is synchronous: a second connection in the same process waiting on a lock
  // would block the event loop that must release it. Latchkey holds one SQLite connection per
  // process, so "another connection" on SQLite is the same one (its driver serialises work).
  const open = (size = poolSize): DatabaseHandle => {
    if (engine === 'sqlite') return { ...handle, close: async () => {} };
    const another = openDatabase({ ...target, poolSize: size } as DatabaseTarget);
    opened.push(another);
    return another;
  };
  return {
    engine,
    url,
    target,
    handle,
    open,
    drop: async () => {
      await Promise.all(opened.map((h) => h.close().catch(() => {})));
      await dropServerDatabase();
    },
  };
}

export async function createTestDatabase(engine: EngineName, poolSize = 20): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(engine, poolSize);
  try {
    await migrateToLatest(empty.handle);
  } catch (error) {
    await empty.drop();
    throw error;
  }
  return { ...empty, store: new Store(empty.handle.db, empty.handle.capabilities) };
}

/**
 * Runs `suite` once per engine, each with its own fresh migrated database (created before the
 * suite, dropped after). Engines without a configured server are reported as skipped, with the
 * variable to set.
 */
export function describeEachDatabase(title: string, suite: (db: () => TestDatabase) => void): void {
  for (const engine of ENGINES) {
    describe(`${title} [${engine.name}]`, { skip: engine.skipReason }, () => {
      let database: TestDatabase | undefined;
      before(async () => {
        database = await createTestDatabase(engine.name);
      });
      after(async () => {
        await database?.drop();
      });
      suite(() => {
        if (!database) throw new Error(`the ${engine.name} test database was not created`);
        return database;
      });
    });
  }
}
