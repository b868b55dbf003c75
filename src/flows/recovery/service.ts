import type { RecoveryMethodName } from '../../config/account-config.ts';
import type { MailRequestJob, Outbox } from '../../courier/outbox.ts';
import type { BreachedPasswords } from '../../crypto/passwords/breached.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import { checkPassword, type PasswordPolicy, type PasswordProblem } from '../../crypto/passwords/policy.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { TokenRecord } from '../../store/tokens-repository.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { OneTimeCodes } from '../codes/one-time-codes.ts';
import type { RequestContext } from '../context.ts';
import type { LinkTokens, TokenProblem } from '../link-tokens.ts';
import type { SessionService } from '../login/session-service.ts';
import { type MailRequestDeps, queueMailRequest } from '../mail-request.ts';
import { redeemResetCode } from './code-redeem.ts';
import { type RecoveryMethod, RecoveryNotStarted, type RecoveryStartOptions } from './methods.ts';

export type { TokenProblem } from '../link-tokens.ts';
export type ResetProblem = TokenProblem | PasswordProblem | 'PASSWORD_SAME_AS_CURRENT' | 'RATE_LIMITED';
/** Why a reset by code failed: CODE_INVALID covers an unknown address and a wrong, spent or expired code alike. */
export type CodeResetProblem =
  | 'RECOVERY_METHOD_NOT_ALLOWED'
  | 'EMAIL_INVALID'
  | 'CODE_INVALID'
  | PasswordProblem
  | 'PASSWORD_SAME_AS_CURRENT'
  | 'RATE_LIMITED';

/** The recovery methods by name: `link` always exists (admin invitations and resets use it). */
export type RecoveryMethods = { link: RecoveryMethod } & Partial<Record<Exclude<RecoveryMethodName, 'link'>, RecoveryMethod>>;

/** Thrown inside the reset-by-code transaction to roll the code's use back: the new password is the current one. */
class SameAsCurrentPassword extends Error {}

export interface RecoveryDeps {
  store: Store;
  outbox: Outbox;
  hasher: PasswordHasher;
  links: LinkTokens;
  clock: Clock;
  limits: RateLimits;
  /** Outside production: where a forgot-password request dropped by a limit is noted (mail-request.ts). */
  devLog?: MailRequestDeps['devLog'];
  passwordPolicy: PasswordPolicy;
  /** PASSWORD_BREACH_CHECK: asked about every new password once the local policy passes (default: never). */
  breachedPasswords?: BreachedPasswords;
  /** How a recovery starts, by name (methods.ts, code-methods.ts). */
  methods: RecoveryMethods;
  /** RECOVERY_METHODS: the methods "forgot password" accepts, in the configured order. */
  enabledMethods: readonly RecoveryMethodName[];
  /** Reset codes (purpose `reset-code`), redeemed by `resetWithCode`. */
  codes: OneTimeCodes;
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
   * Answers the same for every well-formed address, known or not, limited or not, and whatever
   * the method: limited requests are silently dropped, and the method travels in the sealed job.
   * Only a malformed address or a method RECOVERY_METHODS does not list (neither says anything
   * about accounts) is refused. Without a method: `link`, or the first listed when link is not.
   */
  requestReset(
    email: string,
    context: RequestContext,
    returnTo?: string,
    method: RecoveryMethodName = this.defaultMethod(),
  ): Promise<Result<void, 'EMAIL_INVALID' | 'RECOVERY_METHOD_NOT_ALLOWED'>> {
    if (!this.deps.enabledMethods.includes(method)) return Promise.resolve(fail('RECOVERY_METHOD_NOT_ALLOWED'));
    return queueMailRequest(this.deps, 'password-reset-request', email, context, returnTo, method === 'link' ? undefined : method);
  }

  /** The methods pages offer: those RECOVERY_METHODS lists that can send anything (no SMS without a channel). */
  offeredMethods(): RecoveryMethodName[] {
    return this.deps.enabledMethods.filter((name) => {
      const method = this.deps.methods[name];
      return method !== undefined && (method.available?.() ?? true);
    });
  }

  /** The method used when a request names none: `link`, or the first of RECOVERY_METHODS when link is not listed. */
  defaultMethod(): RecoveryMethodName {
    const { enabledMethods } = this.deps;
    return enabledMethods.includes('link') ? 'link' : (enabledMethods[0] ?? 'link');
  }

  /** Whether a reset by code is possible at all: RECOVERY_METHODS lists `code` or `sms`. */
  acceptsCodes(): boolean {
    return this.deps.enabledMethods.some((name) => name !== 'link');
  }

  /**
   * Courier job: for an existing, enabled account, start the requested method. A method that
   * RECOVERY_METHODS no longer lists when the job runs sends nothing.
   */
  async handleResetRequest(job: MailRequestJob): Promise<void> {
    const method = job.method ?? 'link';
    if (!this.deps.enabledMethods.includes(method)) return;
    const user = await this.deps.store.users.findByCanonicalEmail(job.emailCanonical);
    if (!user || user.disabled_at !== null) return;
    await this.startRecovery(
      method,
      user.id,
      { ip: job.ip, userAgent: job.userAgent },
      job.returnTo === undefined ? {} : { returnTo: job.returnTo },
    );
  }

  /**
   * Starts a recovery by link for an account (courier job, `latchkey users create|reset`). Inside
   * `tx` when given, else in its own transaction. Nothing happens for a disabled account.
   */
  issueResetLink(userId: string, context: RequestContext, options: RecoveryStartOptions = {}, tx?: Store): Promise<boolean> {
    return this.startRecovery('link', userId, context, options, tx);
  }

  private async startRecovery(
    name: RecoveryMethodName,
    userId: string,
    context: RequestContext,
    options: RecoveryStartOptions,
    tx?: Store,
  ): Promise<boolean> {
    const method = this.deps.methods[name];
    if (!method) return false;
    const run = async (store: Store) => {
      const user = await store.users.findById(userId);
      if (!user || user.disabled_at !== null) return false;
      await method.start(store, user, context, options);
      return true;
    };
    if (tx) return run(tx);
    try {
      const started = await this.deps.store.transaction(run);
      if (started) this.deps.outbox.wake();
      return started;
    } catch (error) {
      if (error instanceof RecoveryNotStarted) return false;
      throw error;
    }
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
   * concurrent caller wins) and completes the reset (`complete`: the address is confirmed, the user
   * read that mailbox) (S3, S6, S16, S18).
   */
  async resetPassword(token: string, password: string, context: RequestContext): Promise<Result<{ userId: string }, ResetProblem>> {
    const { store, hasher, links, passwordPolicy } = this.deps;
    const found = await this.checkToken(token, context);
    if (!found.ok) return found;
    const user = await store.users.findById(found.value.user_id);
    if (!user || user.disabled_at !== null) return fail('TOKEN_INVALID');

    const problem = checkPassword(password, passwordPolicy, { email: user.email });
    if (problem) return fail(problem);
    if (await this.deps.breachedPasswords?.isBreached(password)) return fail('PASSWORD_BREACHED');
    if (user.password_hash && (await hasher.verifyPassword(user.password_hash, password))) {
      return fail('PASSWORD_SAME_AS_CURRENT');
    }
    const passwordHash = await hasher.hashPassword(password);

    const outcome = await store.transaction(async (tx): Promise<Result<{ userId: string }, TokenProblem>> => {
      const redeemed = await links.redeem(tx, 'password-reset', token);
      if (!redeemed.ok) return redeemed;
      await this.complete(tx, user, passwordHash, context, { method: 'link', confirmEmail: true });
      return ok({ userId: user.id });
    });
    if (outcome.ok) await this.afterReset(user);
    return outcome;
  }

  /**
   * Sets a new password with a reset code sent by mail or SMS (RESET_CODE_DIGITS digits, 10
   * minutes). The same answer, CODE_INVALID, for an unknown address and a wrong code, after the
   * same work: the policy check (against the typed address), a point of the client's
   * RATE_LIMIT_TOKEN_IP (taken before anything is compared, so parallel guesses cannot pass it;
   * given back for a right code), the Argon2id hash of the new password, then one transaction
   * whose statements do not depend on the address (code-redeem.ts). A right code completes the
   * reset in that transaction exactly like a link; a code sent by mail also confirms the
   * address, one sent by SMS does not (it proves the phone, not the mailbox). Only once the code
   * is right is the new password compared with the current one, so this form is no oracle for
   * passwords; that refusal rolls the code's use back so it can be used again with another one.
   */
  async resetWithCode(
    email: string,
    code: string,
    password: string,
    context: RequestContext,
  ): Promise<Result<{ userId: string }, CodeResetProblem>> {
    const { store, hasher, limits, passwordPolicy } = this.deps;
    if (!this.acceptsCodes()) return fail('RECOVERY_METHOD_NOT_ALLOWED');
    const address = parseEmailAddress(email);
    if (!address) return fail('EMAIL_INVALID');
    const problem = checkPassword(password, passwordPolicy, { email: address.display });
    if (problem) return fail(problem);
    const ip = context.ip ?? 'unknown';
    const decision = await limits.tokenPerIp.consume(ip);
    if (!decision.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: decision.retryAfterSeconds };
    // Before the code is compared, and the same for every address: no oracle for either.
    if (await this.deps.breachedPasswords?.isBreached(password)) return fail('PASSWORD_BREACHED');
    let passwordHash: string;
    try {
      passwordHash = await hasher.hashPassword(password);
    } catch (error) {
      await limits.tokenPerIp.giveBack(ip);
      throw error;
    }

    let outcome: Result<{ user: UserRecord }, CodeResetProblem>;
    try {
      outcome = await store.transaction(async (tx): Promise<Result<{ user: UserRecord }, 'CODE_INVALID'>> => {
        const redeemed = await redeemResetCode(tx, this.deps, { emailCanonical: address.canonical, code });
        if (!redeemed.ok) return redeemed;
        const { user, record } = redeemed.value;
        if (user.password_hash && (await hasher.verifyPassword(user.password_hash, password))) throw new SameAsCurrentPassword();
        const method = record.target_phone === null ? 'code' : 'sms';
        await this.complete(tx, user, passwordHash, context, { method, confirmEmail: method === 'code' });
        return ok({ user });
      });
    } catch (error) {
      if (!(error instanceof SameAsCurrentPassword)) throw error;
      outcome = fail('PASSWORD_SAME_AS_CURRENT');
    }
    if (outcome.ok || outcome.code === 'PASSWORD_SAME_AS_CURRENT') await limits.tokenPerIp.giveBack(ip);
    if (!outcome.ok) return outcome;
    await this.afterReset(outcome.value.user);
    return ok({ userId: outcome.value.user.id });
  }

  /**
   * The end of every reset, link or code, inside the transaction that used the proof: the new
   * hash, the address confirmed (when the proof came by mail), every other token of the user but
   * the "it was not me" links of email changes (the owner's way back, even after whoever moved the
   * account resets its password) revoked, every session ended, the "password changed" mail queued
   * and the audit event written (S6, S16, S18).
   */
  private async complete(
    tx: Store,
    user: UserRecord,
    passwordHash: string,
    context: RequestContext,
    o: { method: RecoveryMethodName; confirmEmail: boolean },
  ): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    await tx.users.setPasswordHash(user.id, passwordHash, nowMs);
    if (o.confirmEmail) await tx.users.markEmailConfirmed(user.id, nowMs);
    await tx.tokens.revokeAllForUser(user.id, nowMs, ['email-change-undo']);
    const sessionsEnded = await this.deps.sessions.endAllForUser(tx, user.id, { reason: 'password-reset' });
    await this.deps.outbox.enqueue(tx.outbox, 'mail', {
      template: 'password-changed',
      to: user.email,
      locale: user.locale,
      data: { name: user.name, changedAtMs: nowMs },
    });
    await tx.audit.record({
      type: 'password_reset.completed',
      userId: user.id,
      ...context,
      nowMs,
      detail: { sessionsEnded, ...(o.method === 'link' ? {} : { method: o.method }) },
    });
  }

  /** Once a reset committed: the sign-in slow-down and limits of the account are cleared, the courier woken. */
  private async afterReset(user: UserRecord): Promise<void> {
    await this.deps.loginThrottle.clearForUser(user.id);
    await this.deps.limits.loginPerAccount.reset(this.deps.limits.accountKey(user.email_canonical));
    this.deps.outbox.wake();
  }
}
