import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DatabaseTarget } from '../config/database-url.ts';
import type { Database } from './schema.ts';

/**
 * What differs between engines, named once (ARCHITECTURE convention 4). Repositories ask these,
 * flows never ask which engine they run on.
 */
export interface Capabilities {
  /** `INSERT ... ON CONFLICT DO NOTHING` (SQLite, PostgreSQL); MySQL uses `INSERT IGNORE`. */
  insertIgnoreStyle: 'on-conflict' | 'ignore';
  /** `SELECT ... FOR UPDATE SKIP LOCKED` for claiming outbox rows. */
  skipLocked: boolean;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  capabilities: Capabilities;
  dialect: DatabaseTarget['dialect'];
  close(): Promise<void>;
}

export function openDatabase(target: DatabaseTarget): DatabaseHandle {
  if (target.dialect !== 'sqlite') {
    throw new Error(`DATABASE_URL ${target.dialect} is not supported yet`);
  }
  if (target.filename !== ':memory:') mkdirSync(dirname(target.filename), { recursive: true });
  const sqlite = new SQLite(target.filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    capabilities: { insertIgnoreStyle: 'on-conflict', skipLocked: false },
    close: () => db.destroy(),
  };
}
