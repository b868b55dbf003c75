import type { ConfirmEmailMode } from '../../config/account-config.ts';
import type { MailRequestJob, Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { TokenRecord } from '../../store/tokens-repository.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { RequestContext } from '../context.ts';
import type { LinkTokens, TokenProblem } from '../link-tokens.ts';
import { type MailRequestDeps, queueMailRequest } from '../mail-request.ts';

/**
 * Email confirmation (CONFIRM_EMAIL). Registration queues the link in its own transaction;
 * "send it again" answers the same for every address and resolves the account in the courier
 * (S7, S8). Opening the link changes nothing; confirming is a POST that redeems the token.
 */
export class ConfirmationService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      links: LinkTokens;
      clock: Clock;
      limits: RateLimits;
      mode: ConfirmEmailMode;
      ttlSeconds: number;
      devLog?: MailRequestDeps['devLog'];
    },
  ) {}

  get enabled(): boolean {
    return this.deps.mode !== 'off';
  }

  /**
   * Issues a confirmation link and queues its mail inside the caller's transaction. The mail never
   * greets by name: the address is not confirmed, so the name is whatever the registration typed.
   * It is in the account's language (users.locale).
   */
  async sendLink(
    tx: Store,
    user: Pick<UserRecord, 'id' | 'email' | 'locale'>,
    context: RequestContext,
    welcome: boolean,
    returnTo?: string,
  ): Promise<void> {
    const { links, outbox, ttlSeconds } = this.deps;
    const token = await links.issue(tx, { purpose: 'email-confirm', userId: user.id, ttlSeconds, context });
    await outbox.enqueue(tx.outbox, 'mail', {
      template: 'confirm-email',
      to: user.email,
      locale: user.locale,
      data: { name: null, token, expiresInSeconds: ttlSeconds, welcome, ...(returnTo === undefined ? {} : { returnTo }) },
    });
  }

  /** "Send the link again": the same answer and the same queued work for every address. */
  requestResend(email: string, context: RequestContext): Promise<Result<void, 'EMAIL_INVALID'>> {
    return queueMailRequest(this.deps, 'confirmation-resend-request', email, context);
  }

  /** Courier job: only an enabled account whose address is not confirmed yet gets a new link. */
  async handleResendRequest(job: MailRequestJob): Promise<void> {
    const { store, outbox } = this.deps;
    await store.transaction(async (tx) => {
      const user = await tx.users.findByCanonicalEmail(job.emailCanonical);
      if (!user || user.disabled_at !== null || user.email_confirmed_at !== null) return;
      await this.sendLink(tx, user, { ip: job.ip, userAgent: job.userAgent }, false);
    });
    outbox.wake();
  }

  check(token: string, context: RequestContext): Promise<Result<TokenRecord, TokenProblem | 'RATE_LIMITED'>> {
    return this.deps.links.check(this.deps.store, 'email-confirm', token, context);
  }

  /**
   * Redeems the link (exactly once), marks the address confirmed and ends every session of the
   * account: with CONFIRM_EMAIL=optional, whoever registered someone else's address could be
   * signed in already, and must not stay signed in once the address's owner claims it. The
   * confirmer then signs in.
   */
  async confirm(token: string, context: RequestContext): Promise<Result<{ userId: string }, TokenProblem | 'RATE_LIMITED'>> {
    const checked = await this.check(token, context);
    if (!checked.ok) return checked;
    const { store, links, clock } = this.deps;
    return store.transaction(async (tx) => {
      const redeemed = await links.redeem(tx, 'email-confirm', token);
      if (!redeemed.ok) return redeemed;
      const user = await tx.users.findById(redeemed.value.user_id);
      if (!user || user.disabled_at !== null) return fail('TOKEN_INVALID');
      const nowMs = clock.nowMs();
      await tx.users.markEmailConfirmed(user.id, nowMs);
      const sessionsEnded = await tx.sessions.deleteAllForUser(user.id);
      await tx.audit.record({ type: 'email.confirmed', userId: user.id, ...context, nowMs, detail: { sessionsEnded } });
      return ok({ userId: user.id });
    });
  }
}
