import type { MailRequestJob, Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { TokenPurpose, TokenRecord } from '../../store/tokens-repository.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { OneTimeCodes } from '../codes/one-time-codes.ts';
import type { RequestContext } from '../context.ts';
import type { LinkTokens, TokenProblem } from '../link-tokens.ts';
import { publicUser, type SignedIn } from '../login/service.ts';
import type { SessionService } from '../login/session-service.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import { type MailRequestDeps, queueMailRequest } from '../mail-request.ts';
import type { PendingSecondStep, SecondStepPort } from '../mfa/second-step-port.ts';
import { redeemResetCode } from '../recovery/code-redeem.ts';

/** How long a mailed sign-in link and its code live (S5): 15 minutes. */
export const SIGNIN_LINK_TTL_SECONDS = 15 * 60;
/** The code in the same mail: 8 digits, so its 5 guesses have a 1 in 20 million chance (S1, S4). */
export const SIGNIN_CODE_DIGITS = 8;
/** The two proofs one mail carries: using one revokes the other. */
export const SIGNIN_PROOFS: TokenPurpose[] = ['login-link', 'signin-code'];

export type PasswordlessProblem = TokenProblem | 'CODE_INVALID' | 'EMAIL_INVALID' | 'RATE_LIMITED';
/** A session (amr `email`), or the pending second step of an account with a second factor. */
export type PasswordlessResult = Result<SignedIn | PendingSecondStep, PasswordlessProblem> & { retryAfterSeconds?: number };

export interface PasswordlessSignInOptions {
  /** "Keep me signed in": a persistent session. */
  persistent: boolean;
  /** The remembered-device cookie: a browser the user chose to remember skips the second step. */
  rememberedDevice?: string | undefined;
}

/**
 * Sign-in by a link or a code mailed to the account's address (the inbox is the first factor,
 * amr `email`). Asking is the "forgot password" pattern (S7, S8): the request checks the limits
 * and queues one sealed job for every well-formed address; the courier mails an existing enabled
 * account one link (256 bits, digest stored, S1, S2) and one 8-digit code (5 attempts), both for
 * 15 minutes. Redeeming either is one conditional UPDATE (S3) that also revokes the other,
 * confirms the address and then goes through the second step like a password would (S27).
 */
export class PasswordlessService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      links: LinkTokens;
      /** One-time codes (purpose `signin-code`). */
      codes: OneTimeCodes;
      clock: Clock;
      limits: RateLimits;
      devLog?: MailRequestDeps['devLog'];
      sessions: Pick<SessionService, 'signIn'>;
      secondStep: SecondStepPort;
      /** PASSWORDLESS=on: a job queued before the setting was turned off sends nothing. */
      enabled: boolean;
    },
  ) {}

  get enabled(): boolean {
    return this.deps.enabled;
  }

  /** The same answer and work for every well-formed address, known or not, limited or not. */
  requestSignIn(email: string, context: RequestContext, returnTo?: string): Promise<Result<void, 'EMAIL_INVALID'>> {
    return queueMailRequest(this.deps, 'login-link-request', email, context, returnTo);
  }

  /**
   * Courier job: for an existing, enabled account only, one mail with a new link and a new code
   * (older ones of the account are revoked: only the newest mail works), in one transaction.
   */
  async handleRequest(job: MailRequestJob): Promise<void> {
    const { store, links, codes, outbox, clock } = this.deps;
    if (!this.deps.enabled) return;
    const context = { ip: job.ip, userAgent: job.userAgent };
    const sent = await store.transaction(async (tx) => {
      const user = await tx.users.findByCanonicalEmail(job.emailCanonical);
      if (!user || user.disabled_at !== null) return false;
      const nowMs = clock.nowMs();
      await tx.tokens.revokeLive(user.id, ['login-link'], nowMs);
      const token = await links.issue(tx, { purpose: 'login-link', userId: user.id, ttlSeconds: SIGNIN_LINK_TTL_SECONDS, context });
      const code = await codes.issue(tx, {
        purpose: 'signin-code',
        userId: user.id,
        digits: SIGNIN_CODE_DIGITS,
        context,
        ttlSeconds: SIGNIN_LINK_TTL_SECONDS,
      });
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'login-link',
        to: user.email,
        locale: user.locale,
        data: {
          name: greetingNameOf(user),
          token,
          code,
          expiresInSeconds: SIGNIN_LINK_TTL_SECONDS,
          ...(job.returnTo === undefined ? {} : { returnTo: job.returnTo }),
        },
      });
      await tx.audit.record({ type: 'login.link_requested', userId: user.id, ...context, nowMs });
      return true;
    });
    if (sent) outbox.wake();
  }

  /**
   * Checks a link without changing it (its GET: mail scanners open links). Failed lookups count
   * against the client's RATE_LIMIT_TOKEN_IP (LinkTokens.check); a disabled account's link is not valid.
   */
  async checkLink(token: string, context: RequestContext): Promise<Result<TokenRecord, TokenProblem | 'RATE_LIMITED'>> {
    const { store, links } = this.deps;
    const checked = await links.check(store, 'login-link', token, context);
    if (!checked.ok) return checked;
    const user = await store.users.findById(checked.value.user_id);
    return user && user.disabled_at === null ? checked : fail('TOKEN_INVALID');
  }

  /** Signs in with the mailed link: of any number of parallel uses exactly one wins (S3). */
  async signInWithLink(token: string, context: RequestContext, options: PasswordlessSignInOptions): Promise<PasswordlessResult> {
    const { store, links } = this.deps;
    const checked = await this.checkLink(token, context);
    if (!checked.ok) return checked;
    const redeemed = await store.transaction(async (tx): Promise<Result<UserRecord, TokenProblem>> => {
      const used = await links.redeem(tx, 'login-link', token);
      if (!used.ok) return used;
      const user = await tx.users.findById(used.value.user_id);
      if (!user || user.disabled_at !== null) return fail('TOKEN_INVALID');
      await this.inboxProven(tx, user, context, 'link');
      return ok(user);
    });
    if (!redeemed.ok) return redeemed;
    return this.finish(redeemed.value, context, options, 'link');
  }

  /**
   * Signs in with the mailed code. An unknown address, a disabled account, a wrong, expired,
   * used or spent code all answer CODE_INVALID after the same statements (code-redeem.ts, then a
   * `login.failed` audit event, which also makes every failure commit a write). Each
   * attempt first takes a point of the client's RATE_LIMIT_TOKEN_IP (given back for a right
   * code); the code's own attempt is counted before it is compared (at most 5, S4).
   */
  async signInWithCode(
    email: string,
    code: string,
    context: RequestContext,
    options: PasswordlessSignInOptions,
  ): Promise<PasswordlessResult> {
    const { store, limits } = this.deps;
    const address = parseEmailAddress(email);
    if (!address) return fail('EMAIL_INVALID');
    const ip = context.ip ?? 'unknown';
    const decision = await limits.tokenPerIp.consume(ip);
    if (!decision.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: decision.retryAfterSeconds };
    const redeemed = await store.transaction(async (tx): Promise<Result<UserRecord, 'CODE_INVALID'>> => {
      const used = await redeemResetCode(tx, this.deps, { emailCanonical: address.canonical, code, purpose: 'signin-code' });
      if (!used.ok) {
        // Every failure writes its audit event (S24), so known and unknown addresses both commit a write (S8).
        const nowMs = this.deps.clock.nowMs();
        await tx.audit.record({ type: 'login.failed', userId: used.userId ?? null, ...context, nowMs, detail: { method: 'signin-code' } });
        return fail('CODE_INVALID');
      }
      await this.inboxProven(tx, used.value.user, context, 'code');
      return ok(used.value.user);
    });
    if (!redeemed.ok) return redeemed;
    await limits.tokenPerIp.giveBack(ip);
    return this.finish(redeemed.value, context, options, 'code');
  }

  /**
   * Inside the redeeming transaction: the mail's other proof is revoked, and an unconfirmed
   * address is confirmed (the user read that mailbox) like a confirmation link does it: every
   * session of the account ends (whoever registered someone else's address and signed in must
   * not stay signed in once the owner shows up) and the audit event is written.
   */
  private async inboxProven(tx: Store, user: UserRecord, context: RequestContext, method: 'link' | 'code'): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    await tx.tokens.revokeLive(user.id, SIGNIN_PROOFS, nowMs);
    if (user.email_confirmed_at !== null) return;
    await tx.users.markEmailConfirmed(user.id, nowMs);
    const sessionsEnded = await tx.sessions.deleteAllForUser(user.id);
    await tx.audit.record({
      type: 'email.confirmed',
      userId: user.id,
      ...context,
      nowMs,
      detail: { sessionsEnded, via: `signin-${method}` },
    });
  }

  /** The second step when the account has one (S27), else the session with amr `email`. */
  private async finish(
    user: UserRecord,
    context: RequestContext,
    options: PasswordlessSignInOptions,
    method: 'link' | 'code',
  ): Promise<PasswordlessResult> {
    const { store, sessions, secondStep } = this.deps;
    const step = await secondStep.begin(user, {
      persistent: options.persistent,
      rememberedDevice: options.rememberedDevice,
      context,
      firstFactor: 'email',
    });
    if (step) return ok(step);
    const session = await store.transaction((tx) =>
      sessions.signIn(tx, user.id, context, { persistent: options.persistent, amr: ['email'], detail: { firstFactor: 'email', method } }),
    );
    return ok({ user: publicUser(user), session });
  }
}
