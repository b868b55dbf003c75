import { spawn } from 'node:child_process';
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDatabase } from './databases.ts';

const BIN = fileURLToPath(new URL('../bin/latchkey.js', import.meta.url));

export interface ImportFigures {
  rows: number;
  /** First run: every row new. */
  rowsPerSecond: number;
  seconds: number;
  /** Second run of the same file: every row skipped (the idempotency check). */
  againRowsPerSecond: number;
}

/**
 * `latchkey import` of `rows` users from a JSON Lines file it writes first: a third with a werkzeug
 * pbkdf2 hash, a third with a bcrypt hash, a third without a password (hashes are parsed and
 * bounded at import, never computed). Runs the real CLI as a child process on a fresh database,
 * twice: the second run skips every row.
 */
export async function benchmarkImport(database: BenchDatabase, rows: number): Promise<ImportFigures> {
  const workDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-import-'));
  const db = await database.prepare(workDir);
  try {
    const file = join(workDir, 'users.jsonl');
    await writeUsers(file, rows);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: workDir,
      NODE_ENV: 'test',
      DATA_DIR: workDir,
      DATABASE_URL: db.databaseUrl,
      SECRET_KEYS: 'bench-secret-key-0123456789abcdef0123456789',
      LOG_LEVEL: 'warn',
    };
    await runCli(['migrate'], env);
    const first = await runCli(['import', file], env);
    const again = await runCli(['import', file], env);
    return { rows, seconds: first, rowsPerSecond: rows / first, againRowsPerSecond: rows / again };
  } finally {
    await db.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function writeUsers(file: string, rows: number): Promise<void> {
  const salt = 'Aht25a8TEgwaJGDW';
  const werkzeug = `pbkdf2:sha256:600000$${salt}$${pbkdf2Sync('password', salt, 1000, 32, 'sha256').toString('hex')}`;
  const bcrypt = `$2b$12$${createHash('sha256')
    .update('salt')
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '.')
    .slice(0, 53)
    .padEnd(53, 'a')}`;
  const out = createWriteStream(file);
  for (let i = 0; i < rows; i++) {
    const hash = i % 3 === 0 ? werkzeug : i % 3 === 1 ? bcrypt : undefined;
    const line = `${JSON.stringify({ email: `user${i}.${randomBytes(2).toString('hex')}@example.com`, password_hash: hash, name: `User ${i}`, email_verified: i % 2 === 0, created_at: '2020-01-01T00:00:00Z' })}\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Runs the CLI; answers its wall time in seconds, or throws with its output when it fails. */
function runCli(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`latchkey ${args[0]} exited ${code}:\n${output.slice(-2000)}`));
    });
  });
}
