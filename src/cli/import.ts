import type { Command } from 'commander';
import type { ImportHashOptions } from '../crypto/passwords/legacy/dispatch.ts';
import type { ImportSummary } from '../flows/import/service.ts';
import type { ImportSource } from '../flows/import/sources.ts';
import { withDeps } from './lazy-deps.ts';

interface ImportFlags {
  format?: string;
  fromDb?: string;
  query?: string;
  update?: boolean;
  dryRun?: boolean;
  notify?: boolean;
  allowRefused?: boolean;
  batchSize: string;
  fstPasswordSalt?: string;
  devisePepper?: string;
}

/** How many refusals are listed one by one; the rest are counted. */
const LISTED_REFUSALS = 200;

function usage(message: string): never {
  process.stderr.write(`latchkey import: ${message}\n`);
  process.exit(1);
}

/** A secret given as `env:NAME` is read from that environment variable (kept out of `ps` and shell history). */
function secretFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const secret = value.startsWith('env:') ? process.env[value.slice(4)] : value;
  if (!secret) usage(`${flag} ${value}: the environment variable is not set`);
  if (secret.length > 256) usage(`${flag} is longer than 256 characters`);
  return secret;
}

function report(summary: ImportSummary, source: ImportSource, dryRun: boolean): string {
  const lines = [
    dryRun
      ? `dry run (nothing was written): would import ${summary.imported}, update ${summary.updated}, skip ${summary.skipped} already there; refused ${summary.refused.length} of ${summary.read} ${source.unit}s`
      : `imported ${summary.imported}, updated ${summary.updated}, skipped ${summary.skipped} already there, refused ${summary.refused.length} of ${summary.read} ${source.unit}s`,
  ];
  if (summary.ignoredColumns.length > 0) lines.push(`ignored columns: ${summary.ignoredColumns.join(', ')}`);
  for (const refusal of summary.refused.slice(0, LISTED_REFUSALS)) lines.push(`refused ${source.unit} ${refusal.line}: ${refusal.reason}`);
  if (summary.refused.length > LISTED_REFUSALS)
    lines.push(`… and ${summary.refused.length - LISTED_REFUSALS} more refused ${source.unit}s`);
  return `${lines.join('\n')}\n`;
}

/** `latchkey import`: accounts with their password hashes from a file or another application's database. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description(
      'import accounts (email, password_hash, name, username, email_verified, created_at, disabled) from a JSON Lines or CSV file, or from another database; see docs/migrating.md',
    )
    .argument('[file]', 'a .jsonl or .csv file (or name the format with --format)')
    .option('--format <format>', 'jsonl or csv (default: from the file extension)')
    .option('--from-db <url>', 'read from this database instead of a file: postgres://…, mysql://… or sqlite:PATH (read-only)')
    .option('--query <sql>', 'with --from-db: the query whose columns are the import columns')
    .option('--update', 'update accounts whose address exists already (default: skip them)')
    .option('--dry-run', 'check every row and report, but write nothing')
    .option('--notify', 'queue a "your account has moved" mail to each new account (sent by the courier)')
    .option('--allow-refused', 'exit 0 even when some rows were refused')
    .option('--batch-size <n>', 'rows per transaction', '500')
    .option('--fst-password-salt <salt>', "Flask-Security-Too's SECURITY_PASSWORD_SALT (or env:NAME): its hashes are of the HMAC pre-hash")
    .option('--devise-pepper <pepper>', "Devise's config.pepper (or env:NAME): its bcrypt hashes are of the password and the pepper")
    .action(async (file: string | undefined, flags: ImportFlags) => {
      const batchSize = Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 2000) usage('--batch-size must be a whole number from 1 to 2000');
      if ((file === undefined) === (flags.fromDb === undefined)) usage('give either a FILE or --from-db URL --query SQL');
      if (flags.fromDb !== undefined && !flags.query) usage('--from-db needs --query "select email, password_hash, name from users"');
      if (flags.query !== undefined && flags.fromDb === undefined) usage('--query goes with --from-db');
      if (flags.fstPasswordSalt !== undefined && flags.devisePepper !== undefined) {
        usage('--fst-password-salt and --devise-pepper do not go together: import one application at a time');
      }
      const hashOptions: ImportHashOptions = {};
      const salt = secretFlag(flags.fstPasswordSalt, '--fst-password-salt');
      const pepper = secretFlag(flags.devisePepper, '--devise-pepper');
      if (salt !== undefined) hashOptions.fstPasswordSalt = salt;
      if (pepper !== undefined) hashOptions.devisePepper = pepper;

      // Loaded here, not at the top: `latchkey --help` must not pay for them.
      const [{ Presets, SingleBar }, { pepperBoxOf }, { ImportedHashes }, { SecretBox }, { ImportService }, sources] = await Promise.all([
        import('cli-progress'),
        import('../crypto/passwords/hasher.ts'),
        import('../crypto/passwords/legacy/dispatch.ts'),
        import('../crypto/secret-box.ts'),
        import('../flows/import/service.ts'),
        import('../flows/import/sources.ts'),
      ]);
      const { databaseSource, fileFormat, fileSource, SourceError } = sources;
      const summary = await withDeps(async (deps) => {
        let source: ImportSource;
        try {
          source =
            file !== undefined
              ? await fileSource(file, fileFormat(file, flags.format))
              : await databaseSource(flags.fromDb as string, flags.query as string);
        } catch (error) {
          if (error instanceof SourceError) usage(error.message);
          throw error;
        }
        const hashes = new ImportedHashes(hashOptions, pepperBoxOf(new SecretBox(deps.keyring)));
        const service = new ImportService({ store: deps.store, outbox: deps.outbox, clock: deps.clock });
        const bar = new SingleBar(
          {
            format: 'importing [{bar}] {value}/{total} rows | {speed} rows/s | ETA {eta_formatted}',
            stream: process.stderr,
            noTTYOutput: true,
            notTTYSchedule: 1000,
            etaBuffer: 50,
          },
          Presets.shades_classic,
        );
        const startedAt = performance.now();
        bar.start(source.total, 0, { speed: 0 });
        try {
          const result = await service
            .run(
              source,
              hashes,
              { update: flags.update === true, dryRun: flags.dryRun === true, notify: flags.notify === true, batchSize },
              (done) => {
                const seconds = (performance.now() - startedAt) / 1000;
                if (done > source.total) bar.setTotal(done);
                bar.update(done, { speed: seconds > 0 ? Math.round(done / seconds) : 0 });
              },
            )
            .catch((error: unknown) => {
              if (error instanceof SourceError) usage(error.message);
              throw error;
            });
          bar.setTotal(result.read);
          bar.update(result.read);
          return { result, source };
        } finally {
          bar.stop();
        }
      });
      process.stdout.write(report(summary.result, summary.source, flags.dryRun === true));
      if (summary.result.refused.length > 0 && !flags.allowRefused) process.exit(1);
    });
}
