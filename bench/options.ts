import { parseArgs } from 'node:util';
import { BENCH_DATABASES } from './databases.ts';

export interface BenchOptions {
  /** Seconds of each autocannon run. */
  durationSeconds: number;
  connections: number;
  /** Requests per address in the sequential, alternating timing check. */
  sequentialRequests: number;
  /** Sequential Argon2id hashes timed for the hash-bound login limit. */
  hashes: number;
  /** Keys of BENCH_DATABASES, in the order given: each is measured in turn, then compared. */
  db: string[];
  /** Password resets measured per database. */
  resets: number;
  /** Users imported from a JSON Lines file by `latchkey import` per database (0: skip). */
  importRows: number;
}

const HELP = `npm run bench -- [options]

  --duration SECONDS     length of each load run (default 10)
  --connections N        concurrent connections per load run (default 10)
  --sequential N         requests per address in the sequential timing check (default 2000)
  --hashes N             Argon2id hashes timed for the login limit (default 20)
  --db NAME[,NAME...]    databases to run on, compared in one run: ${Object.keys(BENCH_DATABASES).join(', ')} (default sqlite)
                         (postgres/mysql create a scratch database on TEST_POSTGRES_URL / TEST_MYSQL_URL,
                         default this machine's postgres://postgres@127.0.0.1:5432/test, mysql://root@127.0.0.1:3306/test)
  --resets N             password resets (one Argon2id hash each) measured per database (default 300)
  --import-rows N        users imported from a JSON Lines file by latchkey import, per database (default 100000; 0 skips)
  --help                 this text`;

export class UsageError extends Error {}

/** Reads the command-line flags; throws UsageError with a message for the user on bad input. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '10' },
        sequential: { type: 'string', default: '2000' },
        hashes: { type: 'string', default: '20' },
        db: { type: 'string', default: 'sqlite' },
        resets: { type: 'string', default: '300' },
        'import-rows': { type: 'string', default: '100000' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${HELP}`);
  }
  if (values.help) return 'help';
  const db = String(values.db)
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const unknown = db.filter((d) => !(d in BENCH_DATABASES));
  if (db.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--db ${unknown.join(',') || '(empty)'} is not a database the benchmark runs on: use ${Object.keys(BENCH_DATABASES).join(', ')} (comma-separated to compare)`,
    );
  }
  if (new Set(db).size !== db.length) throw new UsageError('--db names a database twice');
  return {
    durationSeconds: positiveInt('duration', values.duration, 1, 600),
    connections: positiveInt('connections', values.connections, 1, 1000),
    sequentialRequests: positiveInt('sequential', values.sequential, 10, 1_000_000),
    hashes: positiveInt('hashes', values.hashes, 3, 10_000),
    resets: positiveInt('resets', values.resets, 10, 100_000),
    importRows: values['import-rows'] === '0' ? 0 : positiveInt('import-rows', values['import-rows'], 100, 10_000_000),
    db,
  };
}

export function helpText(): string {
  return HELP;
}

function positiveInt(name: string, raw: unknown, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}
