import { Presets, SingleBar } from 'cli-progress';
import type { CleanupProgress } from '../maintenance/cleanup.ts';

/**
 * Progress of `latchkey cleanup`, on stderr (stdout holds the summary only). On a terminal, a live
 * bar per table; otherwise (a log file, a pipe, cron) one line per table once it is done. A table
 * with nothing to delete says so instead of drawing a 0/0 bar.
 */
export class CleanupProgressReport {
  private current: { table: string; deleted: number; total: number; bar?: SingleBar } | undefined;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(progress: CleanupProgress): void {
    if (this.current?.table !== progress.table) {
      this.finishTable();
      this.current = { table: progress.table, deleted: progress.deleted, total: progress.total };
      if (this.stream.isTTY && progress.total > 0) {
        this.current.bar = new SingleBar(
          { format: `${progress.table.padEnd(8)} [{bar}] {value}/{total}`, stream: this.stream },
          Presets.shades_classic,
        );
        this.current.bar.start(progress.total, 0);
      }
    }
    this.current.deleted = progress.deleted;
    this.current.total = progress.total;
    this.current.bar?.setTotal(progress.total);
    this.current.bar?.update(progress.deleted);
  }

  /** Ends the last table's line; call once the cleanup returned (or failed). */
  finish(): void {
    this.finishTable();
  }

  private finishTable(): void {
    const done = this.current;
    if (!done) return;
    this.current = undefined;
    if (done.bar) {
      done.bar.stop();
      return;
    }
    const name = done.table.padEnd(8);
    this.stream.write(done.total === 0 ? `${name} nothing to delete\n` : `${name} deleted ${done.deleted}/${done.total}\n`);
  }
}
