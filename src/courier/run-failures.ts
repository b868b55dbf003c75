import type { Logger } from 'pino';
import { storageFault } from '../store/database.ts';
import type { StorageFaults } from '../store/storage-faults.ts';

/** How often a courier whose runs keep failing says so again. */
export const REPEAT_LOG_MS = 60_000;

/**
 * What the courier logs about its runs (claim, send, mark) when they fail as a whole: the first
 * failure with its stack, then, while the runs keep failing (a full disk, a database that is
 * down), one line a minute with the count instead of a stack at every poll, and one line when a
 * run works again. A SQLite storage fault names its code (`cause: SQLITE_FULL`).
 */
export class RunFailures {
  private count = 0;
  private loggedAtMs = 0;

  constructor(
    private readonly logger: Logger,
    /** Told of the storage faults the runs meet, and of runs that wrote (the file is writable). */
    private readonly storageFaults?: StorageFaults,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  failed(error: unknown): void {
    this.count++;
    const cause = this.storageFaults ? this.storageFaults.note(error) : storageFault(error);
    const now = this.nowMs();
    if (this.count === 1) {
      this.loggedAtMs = now;
      this.logger.error({ err: error, cause }, 'courier: processing the outbox failed');
    } else if (now - this.loggedAtMs >= REPEAT_LOG_MS) {
      this.loggedAtMs = now;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error({ failedRuns: this.count, reason, cause }, 'courier: processing the outbox still fails');
    }
  }

  /** A run ended well; `handled` messages were marked (a write the database took). */
  succeeded(handled: number): void {
    if (handled > 0) this.storageFaults?.clear();
    if (this.count === 0) return;
    this.logger.info({ failedRuns: this.count }, 'courier: processing the outbox works again');
    this.count = 0;
  }
}
