import type { MailRequestJob, Outbox } from '../../courier/outbox.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import { checkPassword, type PasswordPolicy, type PasswordProblem } from '../../crypto/passwords/policy.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { TokenRecord } from '../../store/tokens-repository.ts';
import type { RequestContext } from '../context.ts';
import type { LinkTokens, TokenProblem } from '../link-tokens.ts';
import type { SessionService } from '../login/session-service.ts';
import { queueMailRequest } from '../mail-request.ts';
import type { RecoveryMethod, RecoveryStartOptions } from './methods.ts';

export type { TokenProblem } from '../link-tokens.ts';
export type ResetProblem = TokenProblem | PasswordProblem | 'PASSWORD_SAME_AS_CURRENT' | 'RATE_LIMITED';

export interface RecoveryDeps {
  store: Store;
  outbox: Outbox;
  hasher: PasswordHasher;
  links: LinkTokens;
  clock: Clock;
  limits: RateLimits;
  passwordPolicy: PasswordPolicy;
  /** How a recovery starts (today the emailed link); see methods.ts. */
  method: RecoveryMethod;
  /** Ends every session of the user (and whatever hooks on it) at a completed reset. */
  sessions: Pick<SessionService, 'endAllForUser'>;
  /** Clears the per-account sign-in slow-down: a completed reset always lets the real user in. */
  loginThrottle: { clearForUser(userId: string): Promise<void> };
}

/**
 * Forgot-password and reset, independent of HTTP. The request path does the same work for every
 * address (S7, S8): it checks limits and queues a sealed "reset requested" job. The courier
 * resolves the account later and, only if it exists, starts the recovery method.
 */
export class RecoveryService {
  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * Answers the same for every well-formed address, known or not, limited or not: limited
   * requests are silently dropped. Only a malformed address (which says nothing about accounts)
   * is refused, so the user can fix a typo.
   */
  requestReset(email: string, context: RequestContext, returnTo?: string): Promise<Result<void, 'EMAIL_INVALID'>> {
    return queueMailRequest(this.deps, 'password-reset-request', email, context, returnTo);
  }

  /** Courier job: for an existing, enabled account, start the recovery method. */
  async handleResetRequest(job: MailRequestJob): Promise<void> {
    const user = await this.deps.store.users.findByCanonicalEmail(job.emailCanonical);
    if (!user || user.disabled_at !== null) return;
    await this.issueResetLink(
      user.id,
      { ip: job.ip, userAgent: job.userAgent },
      job.returnTo === undefined ? {} : { returnTo: job.returnTo },
    );
  }

  /**
   * Starts a recovery for an account (courier job, `latchkey users create|reset`). Inside `tx`
   * when given, else in its own transaction. Nothing happens for a disabled account.
   */
  async issueResetLink(userId: string, context: RequestContext, options: RecoveryStartOptions = {}, tx?: Store): Promise<boolean> {
    const run = async (store: Store) => {
      const user = await store.users.findById(userId);
      if (!user || user.disabled_at !== null) return false;
      await this.deps.method.start(store, user, context, options);
      return true;
    };
    const started = tx ? await run(tx) : await this.deps.store.transaction(run);
    if (started && !tx) this.deps.outbox.wake();
    return started;
  }

  /** Tells an in-process courier that mail was queued by a caller's transaction. */
  wakeCourier(): void {
    this.deps.outbox.wake();
  }

  /** Checks a token without changing anything (GET of the emailed link, mail scanners). */
  checkToken(token: string, context: RequestContext): Promise<Result<TokenRecord, TokenProblem | 'RATE_LIMITED'>> {
    return this.deps.links.check(this.deps.store, 'password-reset', token, context);
  }

  /**
   * Sets a new password with a reset token. Slow work (policy, hashing) happens first, outside
   * any transaction; then one transaction redeems the token with a conditional UPDATE (exactly one
   * concurrent caller wins), stores the hash, confirms the address (the user read that mailbox),
   * kills the user's other tokens but the "it was not me" links of email changes (the owner's way
   * back, even after whoever moved the account resets its password), ends every session, queues
   * the "password changed" mail and writes the audit event (S3, S6, S16, S18).
   */
  async resetPassword(token: string, password: string, context: RequestContext): Promise<Result<{ userId: string }, ResetProblem>> {
    const { store, outbox, hasher, links, clock, passwordPolicy } = this.deps;
    const found = await this.checkToken(token, context);
    if (!found.ok) return found;
    const user = await store.users.findById(found.value.user_id);
    if (!user || user.disabled_at !== null) return fail('TOKEN_INVALID');

    const problem = checkPassword(password, passwordPolicy, { email: user.email });
    if (problem) return fail(problem);
    if (user.password_hash && (await hasher.verifyPassword(user.password_hash, password))) {
      return fail('PASSWORD_SAME_AS_CURRENT');
    }
    const passwordHash = await hasher.hashPassword(password);

    const outcome = await store.transaction(async (tx): Promise<Result<{ userId: string }, TokenProblem>> => {
      const redeemed = await links.redeem(tx, 'password-reset', token);
      if (!redeemed.ok) return redeemed;
      const nowMs = clock.nowMs();
      await tx.users.setPasswordHash(user.id, passwordHash, nowMs);
      await tx.users.markEmailConfirmed(user.id, nowMs);
      await tx.tokens.revokeAllForUser(user.id, nowMs, ['email-change-undo']);
      const sessionsEnded = await this.deps.sessions.endAllForUser(tx, user.id, { reason: 'password-reset' });
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'password-changed',
        to: user.email,
        data: { name: user.name, changedAtMs: nowMs },
      });
      await tx.audit.record({ type: 'password_reset.completed', userId: user.id, ...context, nowMs, detail: { sessionsEnded } });
      return ok({ userId: user.id });
    });
    if (outcome.ok) {
      await this.deps.loginThrottle.clearForUser(user.id);
      await this.deps.limits.loginPerAccount.reset(this.deps.limits.accountKey(user.email_canonical));
      outbox.wake();
    }
    return outcome;
  }
}
