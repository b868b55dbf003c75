/**
 * True when a driver error is a unique-index violation, on any supported engine: SQLite
 * (better-sqlite3 `SQLITE_CONSTRAINT_UNIQUE` / `SQLITE_CONSTRAINT_PRIMARYKEY`), PostgreSQL
 * (SQLSTATE 23505) and MySQL/MariaDB (`ER_DUP_ENTRY`, errno 1062). Lets a repository turn a lost
 * race on a unique index into a value instead of a crash.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505' ||
    code === 'ER_DUP_ENTRY' ||
    errno === 1062
  );
}
