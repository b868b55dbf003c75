import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type SQLite from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  MysqlDialect,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import type * as mysql from 'mysql2';
import type pg from 'pg';
import type { Capabilities, DatabaseHandle, OpenOptions } from './database.ts';
import type { Database } from './schema.ts';

/**
 * Each engine's driver is loaded when a database of that engine is opened, not with this module:
 * the default embedded SQLite never loads pg or mysql2 (hundreds of files, a good part of the
 * start-up time), and a server database never loads better-sqlite3. All three are CommonJS, so a
 * synchronous require keeps opening a database synchronous.
 */
const driverRequire = createRequire(import.meta.url);

/** Error codes (Node, pg SQLSTATE, mysql2) that mean "the database is not reachable right now". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const PG_UNAVAILABLE = /^(08|57P0[1-3]|53300)/;
const MYSQL_UNAVAILABLE = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

function codes(error: unknown): string[] {
  if (!error || typeof error !== 'object') return [];
  const e = error as { code?: unknown; errors?: unknown[]; cause?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const inner = Array.isArray(e.errors) ? e.errors.flatMap(codes) : [];
  return [...own, ...inner, ...(e.cause && e.cause !== error ? codes(e.cause) : [])];
}

/**
 * SQLite result codes (better-sqlite3 reports the extended code) that mean the database file
 * cannot be written right now: a full disk (`SQLITE_FULL`), a file or filesystem that became
 * read-only (`SQLITE_READONLY…`, or `SQLITE_IOERR_WRITE` when the kernel refuses a write on an
 * already open file), another I/O failure, or a file that cannot be opened. None of these is a
 * bug in the request: the connection stays usable and writes work again once the operator frees
 * space or makes the file writable, so they are answered 503 like an outage.
 */
const SQLITE_STORAGE_FAULT = /^SQLITE_(FULL|READONLY(_[A-Z]+)?|IOERR(_[A-Z]+)?|CANTOPEN(_[A-Z]+)?)$/;

/** The SQLite code naming why the database file cannot be written, if that is what the error is. */
export function sqliteStorageFault(error: unknown): string | undefined {
  return codes(error).find((c) => SQLITE_STORAGE_FAULT.test(c));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

const sqliteCapabilities: Capabilities = {
  insertIgnoreStyle: 'on-conflict',
  skipLocked: false,
  autoIncrement: 'autoincrement',
  exactTextTableOptions: null,
  columnTypeChange: 'unenforced',
  isUniqueViolation: (error) => codes(error).some((c) => c === 'SQLITE_CONSTRAINT_UNIQUE' || c === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
  isRetryableConflict: (error) => codes(error).some((c) => c === 'SQLITE_BUSY' || c === 'SQLITE_LOCKED'),
  // An embedded file does not go away, but its disk can fill up or turn read-only.
  isUnavailable: (error) => sqliteStorageFault(error) !== undefined,
};

const postgresCapabilities: Capabilities = {
  insertIgnoreStyle: 'on-conflict',
  skipLocked: true,
  autoIncrement: 'identity',
  exactTextTableOptions: null,
  columnTypeChange: 'alter-column-type',
  isUniqueViolation: (error) => codes(error).includes('23505'),
  isRetryableConflict: (error) => codes(error).some((c) => c === '40001' || c === '40P01' || c === '55P03'),
  isUnavailable: (error) =>
    codes(error).some((c) => NETWORK_CODES.has(c) || PG_UNAVAILABLE.test(c)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly/i.test(
      messageOf(error),
    ),
};

const mysqlCapabilities: Capabilities = {
  insertIgnoreStyle: 'ignore',
  skipLocked: true,
  autoIncrement: 'autoincrement',
  exactTextTableOptions: 'default character set utf8mb4 collate utf8mb4_bin',
  columnTypeChange: 'modify-column',
  isUniqueViolation: (error) => codes(error).includes('ER_DUP_ENTRY'),
  isRetryableConflict: (error) => codes(error).some((c) => c === 'ER_LOCK_DEADLOCK' || c === 'ER_LOCK_WAIT_TIMEOUT'),
  isUnavailable: (error) =>
    codes(error).some((c) => NETWORK_CODES.has(c) || MYSQL_UNAVAILABLE.has(c)) ||
    /connection is in closed state|Pool is closed|Can't add new command when connection is in closed state/i.test(messageOf(error)),
};

/**
 * SQLite rolls a transaction back by itself when a statement in it fails for a full disk or an
 * I/O error; Kysely's ROLLBACK that follows would then fail with "cannot rollback - no transaction
 * is active" and hide the real cause (SQLITE_FULL, SQLITE_IOERR_WRITE) behind a plain error.
 * This driver rolls back only a transaction that is still open, so the cause reaches the caller.
 */
class SqliteDriverKeepingCause extends SqliteDriver {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: keepingStatements(sqlite) });
  }
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

/** Compiled statements kept by keepingStatements: more than the service's distinct queries. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every query it runs, and better-sqlite3 compiles the SQL text on every
 * prepare(): work done on the event loop, over and over for the same few hundred statements.
 * The compiled statements are kept by SQL text (the most recently used STATEMENT_CACHE_SIZE; a
 * query with an `in (…)` list of another length is another text) and run again with new
 * parameters. A kept statement still being iterated (`busy`) is not handed out twice. SQLite
 * recompiles a kept statement by itself after a schema change (a migration).
 */
function keepingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const kept = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql) => {
      const statement = kept.get(sql);
      if (statement && !statement.busy) {
        // Most recently used last: the first one is the one to drop when the map is full.
        kept.delete(sql);
        kept.set(sql, statement);
        return statement;
      }
      const compiled = sqlite.prepare(sql);
      if (!statement) {
        kept.set(sql, compiled);
        if (kept.size > STATEMENT_CACHE_SIZE) kept.delete(kept.keys().next().value as string);
      }
      return compiled;
    },
  };
}

class LatchkeySqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) {
    super({ database: sqlite });
  }
  override createDriver(): Driver {
    return new SqliteDriverKeepingCause(this.sqlite);
  }
}

/**
 * The database holds password hashes, sealed mail and audit records: a new file is created 0600
 * (its directory 0700 when created here) before SQLite opens it, and SQLite gives the WAL and
 * shared-memory files the database file's mode. An existing file keeps the mode it has.
 */
export function openSqlite(filename: string): Omit<DatabaseHandle, 'faults'> {
  if (filename !== ':memory:') {
    try {
      mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
      closeSync(openSync(filename, 'a', 0o600));
    } catch (error) {
      // A read-only file, directory or filesystem, or a full disk: say which file and why, as
      // SQLite's own code for "cannot open", instead of a bare stack trace.
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw Object.assign(
        new Error(
          `the SQLite database file ${filename} cannot be opened for writing (${reason}): make it and its directory writable by this process`,
        ),
        { code: 'SQLITE_CANTOPEN', cause: error },
      );
    }
  }
  const Sqlite = driverRequire('better-sqlite3') as typeof SQLite;
  const sqlite = new Sqlite(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new LatchkeySqliteDialect(sqlite) });
  return { db, dialect: 'sqlite', capabilities: sqliteCapabilities, close: () => db.destroy() };
}

export function openPostgres(url: string, poolSize: number, options: OpenOptions): Omit<DatabaseHandle, 'faults'> {
  const { Pool, TypeOverrides } = driverRequire('pg') as typeof pg;
  // BIGINT (oid 20) holds epoch milliseconds and counts: parse as a JS number, on this pool only.
  const types = new TypeOverrides();
  types.setTypeParser(20, Number);
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    types,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  // A client checked out of the pool (between the statements of a transaction, say) has no
  // listener of the pool's: without this one, a dropped connection would crash the process.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onIdleError?.(error));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', capabilities: postgresCapabilities, close: () => db.destroy() };
}

export function openMysql(url: string, poolSize: number, options: OpenOptions): Omit<DatabaseHandle, 'faults'> {
  const { createPool } = driverRequire('mysql2') as typeof mysql;
  const pool = createPool({
    uri: url,
    connectionLimit: poolSize,
    // BIGINT epoch milliseconds come back as numbers (strings only beyond 2^53, which never happens).
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: 'utf8mb4',
    connectTimeout: 5_000,
    enableKeepAlive: true,
    timezone: 'Z',
  });
  pool.on('connection', (connection) => {
    connection.on('error', (error: Error) => options.onIdleError?.(error));
    // READ COMMITTED, as on PostgreSQL: the same isolation on both servers, and no InnoDB gap
    // locks, so an outbox INSERT never deadlocks with a worker's FOR UPDATE SKIP LOCKED claim.
    // Every race-sensitive write is a conditional statement, which is atomic at this level.
    connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  return { db, dialect: 'mysql', capabilities: mysqlCapabilities, close: () => db.destroy() };
}
