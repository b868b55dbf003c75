import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Capabilities } from '../../src/store/database.ts';
import { allMigrations } from '../../src/store/migrations/index.ts';
import { TEST_SECRET } from './app.ts';

const BIN = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp directory for one CLI test: DATA_DIR, the database file and the working directory. */
export class CliSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
  readonly databaseFile = join(this.dir, 'latchkey.db');

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'test',
      DATA_DIR: this.dir,
      DATABASE_URL: `sqlite:${this.databaseFile}`,
      SECRET_KEYS: TEST_SECRET,
      ...extra,
    };
  }

  /** Runs `node bin/latchkey.js ...args` in the sandbox with only the given environment (plus PATH/HOME). */
  run(args: string[], extraEnv: Record<string, string> = {}, options: { replaceEnv?: Record<string, string> } = {}): Promise<CliResult> {
    const env = { PATH: process.env.PATH ?? '', HOME: this.dir, ...(options.replaceEnv ?? this.env(extraEnv)) };
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: this.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Starts a long-running command (serve, worker); stop it with `stop()`. */
  start(args: string[], extraEnv: Record<string, string> = {}, options: { replaceEnv?: Record<string, string> } = {}): RunningCli {
    const env = { PATH: process.env.PATH ?? '', HOME: this.dir, ...(options.replaceEnv ?? this.env(extraEnv)) };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: this.dir, env });
    return new RunningCli(child);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class RunningCli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (c: Buffer) => (this.stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  /** Waits until stdout matches `pattern`; returns the match. */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no output matching ${pattern} (exit ${this.child.exitCode}): ${this.stdout}${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends SIGTERM and waits for the exit code (SIGKILL after 10 s). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Every migration's name in order, as `migrate` prints them ("0001-initial, 0002-..."). */
export function migrationList(): string {
  return Object.keys(allMigrations({} as Capabilities)).join(', ');
}
