import type { Command } from 'commander';
import type { AccountSummary, AdminProblem } from '../flows/admin/service.ts';
import type { Result } from '../kernel/result.ts';
import { withDeps } from './lazy-deps.ts';

function fail(message: string): never {
  process.stderr.write(`latchkey: ${message}\n`);
  process.exit(1);
}

/** The value of a successful admin action, or exit 1 naming the problem. */
function unwrap<T>(result: Result<T, AdminProblem>, email: string): T {
  if (result.ok) return result.value;
  if (result.code === 'USER_NOT_FOUND') fail(`no account uses ${email.trim()}`);
  if (result.code === 'EMAIL_INVALID') fail(`"${email}" is not a valid email address`);
  if (result.code === 'EMAIL_TAKEN') fail(`an account already uses ${email.trim()}`);
  fail(`the account of ${email.trim()} is disabled; enable it first (latchkey users enable)`);
}

const when = (ms: number | null) => (ms === null ? 'never' : new Date(ms).toISOString());
const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * What an account can do now, one word: `disabled` (no sign-in, no reset), `no-password` (made by
 * an administrator or without a password: signs in by mailed link or passkey only, if at all),
 * `unconfirmed` (its address was never confirmed), or `active`.
 */
export type AccountState = 'disabled' | 'no-password' | 'unconfirmed' | 'active';

export function accountState(a: { disabled: boolean; hasPassword: boolean; confirmed: boolean }): AccountState {
  if (a.disabled) return 'disabled';
  if (!a.hasPassword) return 'no-password';
  if (!a.confirmed) return 'unconfirmed';
  return 'active';
}

function stateOf(a: AccountSummary): AccountState {
  return accountState({
    disabled: a.status === 'disabled',
    hasPassword: a.status !== 'no-password',
    confirmed: a.emailConfirmedAtMs !== null,
  });
}

/** `users show --json`: the same facts as the text, times as ISO 8601 (null: never). */
function summaryJson(a: AccountSummary) {
  return {
    id: a.id,
    email: a.email,
    username: a.username,
    name: a.name,
    state: stateOf(a),
    emailConfirmedAt: isoOrNull(a.emailConfirmedAtMs),
    passwordHash: a.passwordHashFamily,
    createdAt: new Date(a.createdAtMs).toISOString(),
    lastSignInAt: isoOrNull(a.lastLoginAtMs),
    lastSignInIp: a.lastLoginIp,
    signIns: a.loginCount,
    failedSignIns: a.failedLoginCount,
    activeSessions: a.activeSessions,
  };
}

function describe(a: AccountSummary): string {
  return [
    `id:               ${a.id}`,
    `email:            ${a.email}`,
    `email confirmed:  ${a.emailConfirmedAtMs === null ? 'no' : when(a.emailConfirmedAtMs)}`,
    `username:         ${a.username ?? '-'}`,
    `name:             ${a.name ?? '-'}`,
    `status:           ${stateOf(a)}`,
    `password:         ${a.hasPassword ? 'set' : 'none (signs in by an emailed link or code, a passkey, or a reset)'}`,
    `password hash:    ${a.passwordHashFamily}`,
    `created:          ${when(a.createdAtMs)}`,
    `last sign-in:     ${when(a.lastLoginAtMs)}${a.lastLoginIp ? ` from ${a.lastLoginIp}` : ''}`,
    `sign-ins:         ${a.loginCount}`,
    `failed sign-ins:  ${a.failedLoginCount} since the last successful one`,
    `active sessions:  ${a.activeSessions}`,
    `passkeys:         ${a.passkeys}`,
  ].join('\n');
}

/** `latchkey users ...`: thin wrappers over AdminService (flows/admin/service.ts). */
export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('administer accounts (an admin never sets or sees a password)');

  users
    .command('create')
    .description('create an account and email the user a link to choose their password (an admin never sets or sees a password)')
    .argument('<email>', 'the address of the new account')
    .option('--name <name>', 'display name')
    .action(async (email: string, options: { name?: string }) => {
      await withDeps(async (deps) => {
        const created = unwrap(await deps.admin.create(email, options.name), email);
        process.stdout.write(`created ${created.email} (${created.id}); a link to set the password is queued for delivery\n`);
      });
    });

  users
    .command('disable')
    .description('disable an account: it can no longer sign in or reset, and its sessions and links end')
    .argument('<email>', 'the account address')
    .action(async (email: string) => {
      await withDeps(async (deps) => {
        const user = unwrap(await deps.admin.disable(email), email);
        process.stdout.write(`disabled ${user.email}\n`);
      });
    });

  users
    .command('enable')
    .description('enable a disabled account again')
    .argument('<email>', 'the account address')
    .action(async (email: string) => {
      await withDeps(async (deps) => {
        const user = unwrap(await deps.admin.enable(email), email);
        process.stdout.write(`enabled ${user.email}\n`);
      });
    });

  users
    .command('delete')
    .description('delete an account with its sessions and links (the audit trail keeps its id)')
    .argument('<email>', 'the account address')
    .action(async (email: string) => {
      await withDeps(async (deps) => {
        const user = unwrap(await deps.admin.delete(email), email);
        process.stdout.write(`deleted ${user.email} (${user.id})\n`);
      });
    });

  users
    .command('revoke-sessions')
    .description('sign the account out everywhere')
    .argument('<email>', 'the account address')
    .action(async (email: string) => {
      await withDeps(async (deps) => {
        const { user, sessionsEnded } = unwrap(await deps.admin.revokeSessions(email), email);
        process.stdout.write(`ended ${sessionsEnded} session(s) of ${user.email}\n`);
      });
    });

  users
    .command('reset')
    .description('email the user a password reset link (the current password works until they use it)')
    .argument('<email>', 'the account address')
    .action(async (email: string) => {
      await withDeps(async (deps) => {
        const user = unwrap(await deps.admin.reset(email), email);
        process.stdout.write(`a reset link for ${user.email} is queued for delivery\n`);
      });
    });

  users
    .command('mfa-reset')
    .description(
      'turn two-step sign-in off for an account that lost its authenticator app and recovery codes: removes them, forgets remembered browsers, mails the user (passkeys stay: each signs in alone, and only the user removes one)',
    )
    .argument('<email>', 'the account address')
    .action(async (email: string) => {
      await withDeps(async (deps) => {
        const { user, removed } = unwrap(await deps.mfaEnrol.resetByAdmin(email, { ip: null, userAgent: 'latchkey-cli' }), email);
        process.stdout.write(
          removed
            ? `two-step sign-in of ${user.email} is off: its authenticator app and recovery codes were removed; a notice is queued for delivery\n`
            : `${user.email} had no second factor; nothing was removed\n`,
        );
        const passkeys = await deps.store.passkeys.countForUser(user.id);
        if (passkeys > 0)
          process.stdout.write(
            `${passkeys === 1 ? '1 passkey stays' : `${passkeys} passkeys stay`}: a passkey signs in alone; the user removes one in settings\n`,
          );
      });
    });

  users
    .command('show')
    .description('show an account: status, confirmation, sign-ins, sessions')
    .argument('<email>', 'the account address')
    .option('--json', 'print one JSON object instead of text')
    .action(async (email: string, options: { json?: boolean }) => {
      await withDeps(async (deps) => {
        const summary = unwrap(await deps.admin.show(email), email);
        process.stdout.write(options.json ? `${JSON.stringify(summaryJson(summary))}\n` : `${describe(summary)}\n`);
      });
    });

  users
    .command('list')
    .description('list accounts, oldest first: a header row, then id, email, state, created, name (tab-separated)')
    .option('--limit <n>', 'how many', '100')
    .option('--offset <n>', 'how many to skip', '0')
    .option('--json', 'print a JSON array instead of a table')
    .action(async (options: { limit: string; offset: string; json?: boolean }) => {
      const limit = Number(options.limit);
      const offset = Number(options.offset);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) fail('--limit must be a whole number from 1 to 10000');
      if (!Number.isInteger(offset) || offset < 0) fail('--offset must be a whole number of at least 0');
      await withDeps(async (deps) => {
        const rows = (await deps.store.users.list({ limit, offset })).map((u) => ({
          id: u.id,
          email: u.email,
          username: u.username,
          name: u.name,
          state: accountState({
            disabled: u.disabled_at !== null,
            hasPassword: u.password_hash !== null,
            confirmed: u.email_confirmed_at !== null,
          }),
          emailConfirmedAt: u.email_confirmed_at === null ? null : new Date(Number(u.email_confirmed_at)).toISOString(),
          createdAt: new Date(Number(u.created_at)).toISOString(),
        }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(rows)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no accounts\n');
          return;
        }
        process.stdout.write('id\temail\tstate\tcreated\tname\n');
        for (const u of rows) process.stdout.write(`${u.id}\t${u.email}\t${u.state}\t${u.createdAt}\t${u.name ?? ''}\n`);
      });
    });
}
