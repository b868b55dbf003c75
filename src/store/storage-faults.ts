import { sqliteStorageFault } from './dialects.ts';

/** How long /readyz stays 503 after the last write the database refused, unless a write succeeds first. */
export const STORAGE_FAULT_MEMORY_MS = 30_000;

/**
 * The last storage fault a write met (full disk, read-only SQLite file), for /readyz: a database
 * that answers `select 1` but refuses every write is not ready. Noted by the error handler and the
 * courier; forgotten when the courier writes again, or `STORAGE_FAULT_MEMORY_MS` after the last
 * one (a quiet service proves nothing either way; the next refused write notes it again).
 */
export class StorageFaults {
  private last: { cause: string; atMs: number } | undefined;

  constructor(private readonly nowMs: () => number = () => Date.now()) {}

  /** Notes `error` if it is a storage fault; returns its cause (`SQLITE_FULL`), else undefined. */
  note(error: unknown): string | undefined {
    const cause = sqliteStorageFault(error);
    if (cause) this.last = { cause, atMs: this.nowMs() };
    return cause;
  }

  /** A write succeeded. */
  clear(): void {
    this.last = undefined;
  }

  /** The cause of a storage fault met within the last `STORAGE_FAULT_MEMORY_MS`, if any. */
  recent(): string | undefined {
    if (this.last && this.nowMs() - this.last.atMs < STORAGE_FAULT_MEMORY_MS) return this.last.cause;
    this.last = undefined;
    return undefined;
  }
}
