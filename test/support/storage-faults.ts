import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(command: string, args: string[]): string | undefined {
  try {
    execFileSync(command, args, { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    return (e.stderr?.toString().trim() || e.message).split('\n')[0];
  }
}

/**
 * A tiny tmpfs of `sizeKiB` mounted on a fresh directory: a real filesystem that fills up. Needs
 * the right to mount (root or CAP_SYS_ADMIN); `skipReason` says why not otherwise.
 */
export class SmallFilesystem {
  readonly dir = mkdtempSync(join(tmpdir(), 'latchkey-tmpfs-'));
  readonly skipReason: string | undefined;
  private mounted = false;
  private readonly filler = join(this.dir, 'filler');

  constructor(sizeKiB: number) {
    const problem = run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', this.dir]);
    this.mounted = problem === undefined;
    this.skipReason = problem && `cannot mount a small tmpfs to fill up (${problem}); run as root to test a full disk`;
  }

  /** Writes a filler file until the filesystem answers ENOSPC; returns the bytes written. */
  fill(): number {
    const fd = openSync(this.filler, 'w');
    const block = Buffer.alloc(4096, 1);
    let written = 0;
    try {
      for (;;) written += writeSync(fd, block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
    return written;
  }

  /** Deletes the filler: the space is free again. */
  free(): void {
    unlinkSync(this.filler);
  }

  dispose(): void {
    if (this.mounted) run('umount', ['-l', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Files made immutable (`chattr +i`): every write to them fails with EPERM, even through a
 * descriptor opened earlier and even for root, which file modes would not stop. This is how a
 * database file that turned read-only under a running service behaves; `chmod` could not show it
 * (root ignores modes, and an open descriptor keeps its write access), and remounting a
 * filesystem read-only is refused while the service holds files open for writing.
 */
export class ImmutableFiles {
  readonly skipReason: string | undefined;
  private readonly locked = new Set<string>();

  constructor() {
    const probeDir = mkdtempSync(join(tmpdir(), 'latchkey-chattr-'));
    const probe = join(probeDir, 'probe');
    writeFileSync(probe, 'x');
    const problem = run('chattr', ['+i', probe]);
    if (problem === undefined) run('chattr', ['-i', probe]);
    rmSync(probeDir, { recursive: true, force: true });
    this.skipReason = problem && `cannot make a file immutable with chattr here (${problem}); run as root on ext4 or xfs`;
  }

  lock(...files: string[]): void {
    for (const file of files) {
      const problem = run('chattr', ['+i', file]);
      if (problem) throw new Error(`chattr +i ${file}: ${problem}`);
      this.locked.add(file);
    }
  }

  unlockAll(): void {
    for (const file of this.locked) run('chattr', ['-i', file]);
    this.locked.clear();
  }
}
