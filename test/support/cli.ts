import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
