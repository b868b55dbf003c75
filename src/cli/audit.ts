import type { Command } from 'commander';
import { parseEmailAddress } from '../kernel/email-address.ts';
import { withDeps } from './lazy-deps.ts';

function fail(message: string): never {
  process.stderr.write(`latchkey: ${message}\n`);
  process.exit(1);
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `24h`, `7d` in milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  return amount > 0 ? amount * (UNIT_MS[match[2] as string] as number) : undefined;
}

function wholeNumber(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) fail(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

interface AuditOptions {
  user?: string;
  type?: string;
  since?: string;
  limit: string;
  offset: string;
  json?: boolean;
}

/** `latchkey audit`: read the security events (newest first), filtered and paged. */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('list security events (sign-ins, password and address changes...), newest first')
    .option('--user <email>', 'only the events of this account')
    .option('--type <type>', 'only events of this type or starting with it (e.g. login.)')
    .option('--since <duration>', 'only events of the last 30m, 24h, 7d...')
    .option('--limit <n>', 'at most this many events (1 to 1000)', '50')
    .option('--offset <n>', 'skip this many of the newest events first (paging)', '0')
    .option('--json', 'print a JSON array of events instead of a table')
    .action(async (options: AuditOptions) => {
      const limit = wholeNumber(options.limit, '--limit', 1, 1000);
      const offset = wholeNumber(options.offset, '--offset', 0, 10_000_000);
      let sinceWindowMs: number | undefined;
      if (options.since !== undefined) {
        sinceWindowMs = parseDuration(options.since);
        if (sinceWindowMs === undefined) fail(`--since must be a duration like 30m, 24h or 7d, not "${options.since}"`);
      }
      if (options.type !== undefined && !/^[a-z_.]{1,64}$/.test(options.type)) {
        fail(`--type must be an event type or its beginning (letters, "_" and "."), like login. or password.changed`);
      }
      await withDeps(async (deps) => {
        let userId: string | undefined;
        if (options.user !== undefined) {
          const address = parseEmailAddress(options.user);
          if (!address) fail(`"${options.user}" is not a valid email address`);
          const user = await deps.store.users.findByCanonicalEmail(address.canonical);
          if (!user) fail(`no account uses ${options.user.trim()}`);
          userId = user.id;
        }
        const events = await deps.store.audit.list({
          userId,
          typePrefix: options.type,
          sinceMs: sinceWindowMs === undefined ? undefined : deps.clock.nowMs() - sinceWindowMs,
          limit,
          offset,
        });
        // The formatting (browser names from the catalogues) loads when the command runs, not for --help.
        const { auditJson, formatAuditTable } = await import('./audit-format.ts');
        process.stdout.write(options.json ? `${JSON.stringify(events.map(auditJson), null, 2)}\n` : formatAuditTable(events));
      });
    });
}
