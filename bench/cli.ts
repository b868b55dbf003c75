// CLI start-up times: `latchkey --help` and `latchkey <command> --help` (target under 300 ms) and
// `npm start` to the first HTTP answer (target under 2 s), each the median of several runs, next
// to the cost of starting Node at all and of the same help through tsx. Builds dist/ first when it
// is stale, since that is what an installed Latchkey runs. Part of `npm run bench`; alone:
// `npm run bench:cli`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../bin/source-stamp.js';
import { median } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HELP_TARGET_MS = 300;
const START_TARGET_MS = 2000;

/** Milliseconds from spawn to exit of `node ...args`, which must exit 0. */
function timeNode(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const medianOf = (runs: number, measure: () => number) => median(Array.from({ length: runs }, measure));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `npm start` on a fresh data directory (database created, migrations applied) until GET /healthz answers. */
async function timeNpmStart(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-start-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode} before answering`);
      if (performance.now() - started > 60_000) throw new Error('npm start did not answer within 60 s');
      const answered = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      );
      if (answered) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface CliFigures {
  nodeMs: number;
  helpMs: number;
  commandHelpMs: number;
  tsxHelpMs: number;
  npmStartMs: number;
}

/** Measures and prints the CLI figures with their targets and PASS/FAIL. */
export async function benchmarkCli(runs = 7): Promise<CliFigures> {
  if (!distIsFresh(ROOT)) {
    process.stderr.write('· dist/ is stale or missing: npm run build\n');
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0 || !distIsFresh(ROOT)) throw new Error('the build failed: the CLI figures would measure tsx');
  }
  const loadBefore = loadavg()[0] ?? 0;
  process.stderr.write(`· CLI start-up: ${runs} runs of each, medians\n`);
  const figures: CliFigures = {
    nodeMs: medianOf(runs, () => timeNode(['-e', '0'])),
    helpMs: medianOf(runs, () => timeNode(['bin/latchkey.js', '--help'])),
    commandHelpMs: medianOf(runs, () => timeNode(['bin/latchkey.js', 'users', '--help'])),
    tsxHelpMs: medianOf(3, () => timeNode(['--import', 'tsx', 'src/cli/index.ts', '--help'])),
    npmStartMs: 0,
  };
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) starts.push(await timeNpmStart());
  figures.npmStartMs = median(starts);
  const verdict = (v: number, target: number) => (v < target ? 'PASS' : 'FAIL');
  const rows = [
    ['node -e 0 (Node itself, for reference)', figures.nodeMs, '', ''],
    ['latchkey --help (dist/)', figures.helpMs, `< ${HELP_TARGET_MS} ms`, verdict(figures.helpMs, HELP_TARGET_MS)],
    ['latchkey users --help (dist/)', figures.commandHelpMs, `< ${HELP_TARGET_MS} ms`, verdict(figures.commandHelpMs, HELP_TARGET_MS)],
    ['latchkey --help through tsx (no build, for reference)', figures.tsxHelpMs, '', ''],
    [
      'npm start to the first HTTP answer (fresh database)',
      figures.npmStartMs,
      `< ${START_TARGET_MS} ms`,
      verdict(figures.npmStartMs, START_TARGET_MS),
    ],
  ] as const;
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(
    `\nCLI start-up (${availableParallelism()} cores, Node ${process.versions.node}, load ${loadBefore.toFixed(1)} before / ${(loadavg()[0] ?? 0).toFixed(1)} after)\n`,
  );
  for (const [what, ms, target, result] of rows) {
    console.log(`${what.padEnd(width)}  ${ms.toFixed(0).padStart(6)} ms  ${target.padEnd(10)}  ${result}`.trimEnd());
  }
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchmarkCli().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
