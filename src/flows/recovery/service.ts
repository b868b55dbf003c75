import type { TokenDigester } from '../../crypto/tokens.ts';
import { generateToken, isTokenShaped } from '../../crypto/tokens.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import { checkPassword, type PasswordPolicy, type PasswordProblem } from '../../crypto/passwords/policy.ts';
import type { Outbox, OutboxTopics } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { TokenRecord } from '../../store/tokens-repository.ts';
import type { RequestContext } from '../context.ts';

export type TokenProblem = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_USED' | 'TOKEN_REVOKED';
export type ResetProblem = TokenProblem | PasswordProblem | 'PASSWORD_SAME_AS_CURRENT' | 'RATE_LIMITED';

export interface RecoveryDeps {
  store: Store;
  outbox: Outbox;
  hasher: PasswordHasher;
  digester: TokenDigester;
  random: RandomSource;
  clock: Clock;
  limits: RateLimits;
  resetTokenTtlSeconds: number;
  passwordPolicy: PasswordPolicy;
}

/**
 * Forgot-password and reset, independent of HTTP. The request path does the same work for every
 * address (S7, S8): it checks limits and queues a sealed "reset requested" job. The courier
 * resolves the account later and, only if it exists, creates the token and the mail.
 */
export class RecoveryService {
  constructor(private readonly deps: RecoveryDeps) {}

  /**
   * Answers the same for every well-formed address, known or not, limited or not: limited
   * requests are silently dropped. Only a malformed address (which says nothing about accounts)
   * is refused, so the user can fix a typo.
   */
  async requestReset(email: string, context: RequestContext): Promise<Result<void, 'EMAIL_INVALID'>> {
    const { limits, outbox, store } = this.deps;
    const address = parseEmailAddress(email);
    if (!address) return fail('EMAIL_INVALID');
    const ipDecision = await limits.forgotPerIp.consume(context.ip ?? 'unknown');
    const emailDecision = await limits.forgotPerEmail.consume(limits.accountKey(address.canonical));
    if (!ipDecision.allowed || !emailDecision.allowed) return ok(undefined);
    await outbox.enqueue(store.outbox, 'password-reset-request', {
      emailCanonical: address.canonical,
      ip: context.ip,
      userAgent: context.userAgent,
    });
    outbox.wake();
    return ok(undefined);
  }

  /** Courier job: for an existing, enabled account, create a token and queue the reset mail. */
  async handleResetRequest(job: OutboxTopics['password-reset-request']): Promise<void> {
    const user = await this.deps.store.users.findByCanonicalEmail(job.emailCanonical);
    if (!user || user.disabled_at !== null) return;
    await this.issueResetLink(user.id, { ip: job.ip, userAgent: job.userAgent });
  }

  /** Creates a reset token and queues its mail in one transaction; also used by admin commands. */
  async issueResetLink(userId: string, context: RequestContext, options: { invited?: boolean } = {}): Promise<void> {
    const { store, outbox, clock, digester, random, resetTokenTtlSeconds } = this.deps;
    const token = generateToken(random);
    const nowMs = clock.nowMs();
    await store.transaction(async (tx) => {
      const user = await tx.users.findById(userId);
      if (!user || user.disabled_at !== null) return;
      await tx.tokens.create({
        id: newId(),
        purpose: 'password-reset',
        digest: digester.digest(token),
        userId: user.id,
        nowMs,
        expiresAtMs: nowMs + resetTokenTtlSeconds * 1000,
        requestedIp: context.ip,
      });
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'password-reset',
        to: user.email,
        data: { name: user.name, token, expiresInSeconds: resetTokenTtlSeconds, ...(options.invited ? { invited: true } : {}) },
      });
      await tx.audit.record({ type: 'password_reset.requested', userId: user.id, ...context, nowMs });
    });
    outbox.wake();
  }

  /** Checks a token without changing anything (GET of the emailed link, mail scanners). */
  async checkToken(token: string, context: RequestContext): Promise<Result<TokenRecord, TokenProblem | 'RATE_LIMITED'>> {
    const limited = await this.deps.limits.tokenPerIp.check(context.ip ?? 'unknown');
    if (!limited.allowed) return fail('RATE_LIMITED');
    const result = await this.lookup(token);
    if (!result.ok) await this.deps.limits.tokenPerIp.consume(context.ip ?? 'unknown');
    return result;
  }

  /**
   * Sets a new password with a reset token. Slow work (policy, hashing) happens first, outside
   * any transaction; then one transaction redeems the token with a conditional UPDATE (exactly one
   * concurrent caller wins), stores the hash, kills the user's other tokens and every session,
   * queues the "password changed" mail and writes the audit event (S3, S6, S16, S18).
   */
  async resetPassword(
    token: string,
    password: string,
    context: RequestContext,
  ): Promise<Result<{ userId: string }, ResetProblem>> {
    const { store, outbox, hasher, digester, clock, passwordPolicy } = this.deps;
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

    const digests = digester.candidateDigests(token);
    const outcome = await store.transaction(async (tx): Promise<Result<{ userId: string }, TokenProblem>> => {
      const nowMs = clock.nowMs();
      if (!(await tx.tokens.consume('password-reset', digests, nowMs))) {
        const again = await this.lookup(token, tx);
        return fail(again.ok ? 'TOKEN_USED' : again.code);
      }
      await tx.users.setPasswordHash(user.id, passwordHash, nowMs);
      await tx.tokens.revokeAllForUser(user.id, nowMs);
      const sessionsEnded = await tx.sessions.deleteAllForUser(user.id);
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'password-changed',
        to: user.email,
        data: { name: user.name, changedAtMs: nowMs },
      });
      await tx.audit.record({
        type: 'password_reset.completed',
        userId: user.id,
        ...context,
        nowMs,
        detail: { sessionsEnded },
      });
      return ok({ userId: user.id });
    });
    if (outcome.ok) outbox.wake();
    return outcome;
  }

  private async lookup(token: string, store: Store = this.deps.store): Promise<Result<TokenRecord, TokenProblem>> {
    if (!isTokenShaped(token)) return fail('TOKEN_INVALID');
    const record = await store.tokens.findByDigests('password-reset', this.deps.digester.candidateDigests(token));
    if (!record) return fail('TOKEN_INVALID');
    if (record.revoked_at !== null) return fail('TOKEN_REVOKED');
    if (record.used_at !== null) return fail('TOKEN_USED');
    if (record.expires_at <= this.deps.clock.nowMs()) return fail('TOKEN_EXPIRED');
    return ok(record);
  }
}
