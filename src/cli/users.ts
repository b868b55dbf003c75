import type { Command } from 'commander';
import { parseEmailAddress } from '../kernel/email-address.ts';
import { newId } from '../kernel/random.ts';
import { withDeps } from './context.ts';
import type { Deps } from '../deps.ts';

const ADMIN_CONTEXT = { ip: null, userAgent: 'latchkey-cli' };

function fail(message: string): never {
  process.stderr.write(`latchkey: ${message}\n`);
  process.exit(1);
}

async function userByEmail(deps: Deps, email: string) {
  const address = parseEmailAddress(email) ?? fail(`"${email}" is not a valid email address`);
  return (await deps.store.users.findByCanonicalEmail(address.canonical)) ?? fail(`no account uses ${address.display}`);
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('administer accounts');

  users
    .command('create')
    .description('create an account and email the user a link to choose their password (an admin never sets or sees a password)')
    .argument('<email>', 'the address of the new account')
    .option('--name <name>', 'display name')
    .action(async (email: string, options: { name?: string }) => {
      await withDeps(async (deps) => {
        const address = parseEmailAddress(email) ?? fail(`"${email}" is not a valid email address`);
        const id = newId();
        const created = await deps.store.users.insertIfAbsent({
          id,
          email: address.display,
          emailCanonical: address.canonical,
          name: options.name?.trim() || null,
          passwordHash: null,
          nowMs: deps.clock.nowMs(),
        });
        if (!created) fail(`an account already uses ${address.display}`);
        await deps.store.audit.record({ type: 'user.created_by_admin', userId: id, ...ADMIN_CONTEXT, nowMs: deps.clock.nowMs() });
        await deps.recovery.issueResetLink(id, ADMIN_CONTEXT, { invited: true });
        process.stdout.write(`created ${address.display} (${id}); a link to set the password is queued for delivery\n`);
      });
    });

  users
    .command('disable')
    .description('disable an account: it can no longer sign in or reset, and its sessions end')
    .argument('<email>', 'the account address')
    .action(async (email: string) => {
      await withDeps(async (deps) => {
        const user = await userByEmail(deps, email);
        const nowMs = deps.clock.nowMs();
        await deps.store.transaction(async (tx) => {
          await tx.users.setDisabled(user.id, true, nowMs);
          await tx.sessions.deleteAllForUser(user.id);
          await tx.tokens.revokeAllForUser(user.id, nowMs);
          await tx.audit.record({ type: 'user.disabled', userId: user.id, ...ADMIN_CONTEXT, nowMs });
        });
        process.stdout.write(`disabled ${user.email}\n`);
      });
    });

  users
    .command('list')
    .description('list accounts, oldest first')
    .option('--limit <n>', 'how many', '100')
    .option('--offset <n>', 'how many to skip', '0')
    .action(async (options: { limit: string; offset: string }) => {
      const limit = Number(options.limit);
      const offset = Number(options.offset);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) fail('--limit must be a whole number from 1 to 10000');
      if (!Number.isInteger(offset) || offset < 0) fail('--offset must be a whole number of at least 0');
      await withDeps(async (deps) => {
        const rows = await deps.store.users.list({ limit, offset });
        for (const u of rows) {
          const status = u.disabled_at !== null ? 'disabled' : u.password_hash === null ? 'no-password' : 'active';
          process.stdout.write(`${u.id}\t${u.email}\t${status}\t${new Date(u.created_at).toISOString()}\t${u.name ?? ''}\n`);
        }
        if (rows.length === 0) process.stdout.write('no accounts\n');
      });
    });
}
