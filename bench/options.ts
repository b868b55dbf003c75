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
  /** Key of BENCH_DATABASES. */
  db: string;
}

const HELP = `npm run bench -- [options]

  --duration SECONDS     length of each load run (default 10)
  --connections N        concurrent connections per load run (default 10)
  --sequential N         requests per address in the sequential timing check (default 2000)
  --hashes N             Argon2id hashes timed for the login limit (default 20)
  --db NAME              database to run on: ${Object.keys(BENCH_DATABASES).join(', ')} (default sqlite)
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
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${HELP}`);
  }
  if (values.help) return 'help';
  const db = String(values.db);
  if (!(db in BENCH_DATABASES)) {
    throw new UsageError(
      `--db ${db} is not supported yet: the benchmark runs on ${Object.keys(BENCH_DATABASES).join(', ')}. ` +
        'Other databases come with the issue that adds them to Latchkey (add an entry to bench/databases.ts).',
    );
  }
  return {
    durationSeconds: positiveInt('duration', values.duration, 1, 600),
    connections: positiveInt('connections', values.connections, 1, 1000),
    sequentialRequests: positiveInt('sequential', values.sequential, 10, 1_000_000),
    hashes: positiveInt('hashes', values.hashes, 3, 10_000),
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
