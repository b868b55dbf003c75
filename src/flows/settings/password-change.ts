import type { Outbox } from '../../courier/outbox.ts';
import type { BreachedPasswords } from '../../crypto/passwords/breached.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import { checkPassword, type PasswordPolicy, type PasswordProblem } from '../../crypto/passwords/policy.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import { reserveAttempt } from '../attempts.ts';
import type { RequestContext } from '../context.ts';
import type { NewSessionToken, SessionService } from '../login/session-service.ts';
import type { LoginThrottle } from '../login/throttle.ts';
import { greetingNameOf } from '../mail-greeting.ts';

/** The signed-in caller: whose account, which session. */
export interface Caller {
  userId: string;
  sessionId: string;
  persistent: boolean;
}

export type PasswordCheckProblem = 'CURRENT_PASSWORD_INCORRECT' | 'RATE_LIMITED' | 'NOT_AUTHENTICATED';
export type ChangePasswordProblem = PasswordCheckProblem | PasswordProblem | 'PASSWORD_SAME_AS_CURRENT' | 'REAUTH_REQUIRED';

/**
 * Checks the caller's current password. Each check is one Argon2id verification, so every check,
 * right or wrong, takes a point per session and per account first (RATE_LIMIT_REAUTH_SESSION,
 * RATE_LIMIT_REAUTH_ACCOUNT): one session cannot keep the hashing queue full. Wrong passwords are
 * also under the sign-in slow-down of the account's email, reserved before verifying and given
 * back when the password is right, so a stolen session cannot guess faster than the login form
 * allows, not even with parallel requests.
 */
export async function verifyCurrentPassword(
  deps: { store: Store; hasher: PasswordHasher; throttle: LoginThrottle; clock: Clock; limits: RateLimits },
  caller: { userId: string; sessionId: string },
  password: string,
  context: RequestContext,
): Promise<Result<void, PasswordCheckProblem> & { retryAfterSeconds?: number }> {
  const { store, hasher, throttle, clock, limits } = deps;
  const { userId, sessionId } = caller;
  const user = await store.users.findById(userId);
  if (!user || user.disabled_at !== null) return fail('NOT_AUTHENTICATED');
  const sessionKey = limits.accountKey(`session:${sessionId}`);
  const accountKey = limits.accountKey(`user:${userId}`);
  const key = throttle.keyFor(user.email_canonical);
  const reservation = await reserveAttempt([
    limits.reauthPerSession.step(sessionKey),
    limits.reauthPerAccount.step(accountKey),
    throttle.step(key),
  ]);
  if (!reservation.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: reservation.retryAfterSeconds };
  let verified = false;
  try {
    if (user.password_hash) verified = await hasher.verifyPassword(user.password_hash, password);
    else await hasher.verifyDummy(password);
  } catch (error) {
    // Not verified (e.g. the hashing queue is full): nothing is counted.
    await reservation.giveBack();
    throw error;
  }
  if (!verified) {
    await store.audit.record({ type: 'login.failed', userId, ...context, nowMs: clock.nowMs(), detail: { step: 'current-password' } });
    return fail('CURRENT_PASSWORD_INCORRECT');
  }
  await throttle.release(key);
  return ok(undefined);
}

/**
 * Change password while signed in: the current password, the policy, different from the current
 * one. Then, in one transaction: the new hash, every outstanding token killed, every session
 * ended and the caller's replaced by a fresh one (rotation), the "password changed" mail (S6, S18, S22).
 *
 * An account without a password (PASSWORD_OPTIONAL, or turned off by an undone email change) sets
 * its first one the same way, with a recent authentication (RECENT_AUTH_TTL: a sign-in, or "confirm
 * it is you" by mailed code or passkey) in place of the current password it does not have:
 * REAUTH_REQUIRED otherwise. The same transaction follows (a new password is a credential change:
 * tokens revoked, other sessions ended), with the "a password was set" mail. The hash is written
 * only if the account still has none, so a parallel request or a reset cannot be overwritten.
 */
export class PasswordChangeService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      hasher: PasswordHasher;
      sessions: SessionService;
      throttle: LoginThrottle;
      clock: Clock;
      limits: RateLimits;
      passwordPolicy: PasswordPolicy;
      /** PASSWORD_BREACH_CHECK: asked about every new password once the local policy passes (default: never). */
      breachedPasswords?: BreachedPasswords;
    },
  ) {}

  /** Whether the account has a password to change (else its page offers to set one). */
  async hasPassword(userId: string): Promise<boolean> {
    const user = await this.deps.store.users.findById(userId);
    return user !== undefined && user.password_hash !== null;
  }

  async change(
    caller: Caller & { recentlyAuthenticated: boolean },
    currentPassword: string | undefined,
    newPassword: string,
    context: RequestContext,
  ): Promise<Result<{ session: NewSessionToken; set: boolean }, ChangePasswordProblem> & { retryAfterSeconds?: number }> {
    const { store, outbox, hasher, sessions, clock, passwordPolicy } = this.deps;
    const before = await store.users.findById(caller.userId);
    if (!before || before.disabled_at !== null) return fail('NOT_AUTHENTICATED');
    const setting = before.password_hash === null;
    if (setting) {
      if (!caller.recentlyAuthenticated) return fail('REAUTH_REQUIRED');
    } else {
      if (currentPassword === undefined || currentPassword === '') return fail('REAUTH_REQUIRED');
      const verified = await verifyCurrentPassword(this.deps, caller, currentPassword, context);
      if (!verified.ok) return verified;
    }
    const user = await store.users.findById(caller.userId);
    if (!user) return fail('NOT_AUTHENTICATED');
    const problem = checkPassword(newPassword, passwordPolicy, { email: user.email });
    if (problem) return fail(problem);
    if (await this.deps.breachedPasswords?.isBreached(newPassword)) return fail('PASSWORD_BREACHED');
    if (user.password_hash && (await hasher.verifyPassword(user.password_hash, newPassword))) return fail('PASSWORD_SAME_AS_CURRENT');
    const passwordHash = await hasher.hashPassword(newPassword);

    const session = await store.transaction(async (tx) => {
      const nowMs = clock.nowMs();
      if (setting) {
        if (!(await tx.users.setPasswordIfNone(user.id, passwordHash, nowMs))) return undefined;
      } else {
        await tx.users.setPasswordHash(user.id, passwordHash, nowMs);
      }
      // The "it was not me" links of email changes survive: they are the owner's way back.
      await tx.tokens.revokeAllForUser(user.id, nowMs, ['email-change-undo']);
      const sessionsEnded = await sessions.endAllForUser(tx, user.id, { reason: 'password-change' });
      const fresh = await sessions.create(user.id, context, { persistent: caller.persistent }, tx);
      if (setting) {
        await outbox.enqueue(tx.outbox, 'mail', {
          template: 'password-set',
          to: user.email,
          locale: user.locale,
          data: { name: greetingNameOf(user), setAtMs: nowMs },
        });
      } else {
        await outbox.enqueue(tx.outbox, 'mail', {
          template: 'password-changed',
          to: user.email,
          locale: user.locale,
          data: { name: user.name, changedAtMs: nowMs },
        });
      }
      await tx.audit.record({
        type: setting ? 'password.set' : 'password.changed',
        userId: user.id,
        ...context,
        nowMs,
        detail: { sessionsEnded },
      });
      return fresh;
    });
    // A password appeared meanwhile (a parallel request or a reset): it must be given to change it.
    if (!session) return fail('REAUTH_REQUIRED');
    outbox.wake();
    return ok({ session, set: setting });
  }
}
