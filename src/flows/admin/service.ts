import { describeHash } from '../../crypto/passwords/legacy/dispatch.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { newId } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { RequestContext } from '../context.ts';
import type { SessionService } from '../login/session-service.ts';
import type { RecoveryService } from '../recovery/service.ts';

export type AdminProblem = 'EMAIL_INVALID' | 'USER_NOT_FOUND' | 'EMAIL_TAKEN' | 'ACCOUNT_DISABLED';

export interface AccountSummary {
  id: string;
  email: string;
  name: string | null;
  username: string | null;
  status: 'active' | 'disabled' | 'no-password';
  /** False for an account without a password (PASSWORD_OPTIONAL, an undone email change, an invitation not yet used). */
  hasPassword: boolean;
  /** The password hash's format: Latchkey's Argon2id, or the legacy format an import brought (never the hash itself). */
  passwordHashFamily: string;
  emailConfirmedAtMs: number | null;
  createdAtMs: number;
  lastLoginAtMs: number | null;
  lastLoginIp: string | null;
  loginCount: number;
  failedLoginCount: number;
  activeSessions: number;
  /** Passkeys of the account (each one signs in alone). */
  passkeys: number;
}

/**
 * What an administrator can do to an account (the `latchkey users` commands). An administrator
 * never chooses or sees a password: new accounts and admin resets get an emailed link (ASVS 6.4.6,
 * 2.5.1), the same link a user gets from "forgot password".
 */
export class AdminService {
  constructor(
    private readonly deps: { store: Store; clock: Clock; recovery: RecoveryService; sessions: SessionService; context: RequestContext },
  ) {}

  async create(email: string, name: string | undefined): Promise<Result<{ id: string; email: string }, AdminProblem>> {
    const { store, clock, recovery, context } = this.deps;
    const address = parseEmailAddress(email);
    if (!address) return fail('EMAIL_INVALID');
    const id = newId();
    const nowMs = clock.nowMs();
    const created = await store.transaction(async (tx) => {
      const inserted = await tx.users.insertIfAbsent({
        id,
        email: address.display,
        emailCanonical: address.canonical,
        name: name?.trim() || null,
        passwordHash: null,
        nowMs,
      });
      if (!inserted) return false;
      await tx.audit.record({ type: 'user.created_by_admin', userId: id, ...context, nowMs });
      await recovery.issueResetLink(id, context, { invited: true }, tx);
      return true;
    });
    if (!created) return fail('EMAIL_TAKEN');
    return ok({ id, email: address.display });
  }

  /** Disabled: no sign-in, no reset, sessions and tokens ended; answers like an unknown address. */
  disable(email: string): Promise<Result<UserRecord, AdminProblem>> {
    return this.withUser(email, async (tx, user, nowMs) => {
      await tx.users.setDisabled(user.id, true, nowMs);
      await this.deps.sessions.endAllForUser(tx, user.id, { reason: 'account-disabled' });
      await tx.tokens.revokeAllForUser(user.id, nowMs);
      await tx.audit.record({ type: 'user.disabled', userId: user.id, ...this.deps.context, nowMs });
    });
  }

  enable(email: string): Promise<Result<UserRecord, AdminProblem>> {
    return this.withUser(email, async (tx, user, nowMs) => {
      await tx.users.setDisabled(user.id, false, nowMs);
      await tx.audit.record({ type: 'user.enabled', userId: user.id, ...this.deps.context, nowMs });
    });
  }

  /** Deletes the account with its sessions and tokens; the audit trail keeps the id. */
  delete(email: string): Promise<Result<UserRecord, AdminProblem>> {
    return this.withUser(email, async (tx, user, nowMs) => {
      await this.deps.sessions.endAllForUser(tx, user.id, { reason: 'account-deleted' });
      await tx.users.delete(user.id);
      await tx.audit.record({ type: 'user.deleted', userId: user.id, ...this.deps.context, nowMs, detail: { email: user.email } });
    });
  }

  async revokeSessions(email: string): Promise<Result<{ user: UserRecord; sessionsEnded: number }, AdminProblem>> {
    let sessionsEnded = 0;
    const result = await this.withUser(email, async (tx, user, nowMs) => {
      sessionsEnded = await this.deps.sessions.endAllForUser(tx, user.id, { reason: 'admin-revoke' });
      await tx.audit.record({
        type: 'user.sessions_revoked_by_admin',
        userId: user.id,
        ...this.deps.context,
        nowMs,
        detail: { sessionsEnded },
      });
    });
    return result.ok ? ok({ user: result.value, sessionsEnded }) : result;
  }

  /** Sends the user a reset link; the password stays valid until they use it. */
  async reset(email: string): Promise<Result<UserRecord, AdminProblem>> {
    const { recovery, context } = this.deps;
    let disabled = false;
    const result = await this.withUser(email, async (tx, user, nowMs) => {
      if (user.disabled_at !== null) {
        disabled = true;
        return;
      }
      await tx.audit.record({ type: 'password_reset.requested_by_admin', userId: user.id, ...context, nowMs });
      await recovery.issueResetLink(user.id, context, {}, tx);
    });
    if (result.ok && disabled) return fail('ACCOUNT_DISABLED');
    return result;
  }

  async show(email: string): Promise<Result<AccountSummary, AdminProblem>> {
    const found = await this.find(email);
    if (!found.ok) return found;
    const u = found.value;
    return ok({
      id: u.id,
      email: u.email,
      name: u.name,
      username: u.username,
      status: u.disabled_at !== null ? 'disabled' : u.password_hash === null ? 'no-password' : 'active',
      hasPassword: u.password_hash !== null,
      passwordHashFamily: describeHash(u.password_hash),
      emailConfirmedAtMs: u.email_confirmed_at === null ? null : Number(u.email_confirmed_at),
      createdAtMs: Number(u.created_at),
      lastLoginAtMs: u.current_login_at === null ? null : Number(u.current_login_at),
      lastLoginIp: u.current_login_ip,
      loginCount: Number(u.login_count),
      failedLoginCount: Number(u.failed_login_count),
      activeSessions: await this.deps.sessions.count(u.id),
      passkeys: await this.deps.store.passkeys.countForUser(u.id),
    });
  }

  private async find(email: string): Promise<Result<UserRecord, AdminProblem>> {
    const address = parseEmailAddress(email);
    if (!address) return fail('EMAIL_INVALID');
    const user = await this.deps.store.users.findByCanonicalEmail(address.canonical);
    return user ? ok(user) : fail('USER_NOT_FOUND');
  }

  private async withUser(
    email: string,
    change: (tx: Store, user: UserRecord, nowMs: number) => Promise<void>,
  ): Promise<Result<UserRecord, AdminProblem>> {
    const found = await this.find(email);
    if (!found.ok) return found;
    await this.deps.store.transaction((tx) => change(tx, found.value, this.deps.clock.nowMs()));
    this.deps.recovery.wakeCourier();
    return found;
  }
}
