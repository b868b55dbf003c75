import type { Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { Store } from '../../store/store.ts';
import { reserveAttempt } from '../attempts.ts';
import type { CodeProblem, OneTimeCodes } from '../codes/one-time-codes.ts';
import type { RequestContext } from '../context.ts';
import type { SessionService } from '../login/session-service.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import type { Reauthenticate } from '../mfa/enrol-service.ts';
import type { PasswordCheckProblem } from '../settings/password-change.ts';

/** Digits of a "confirm it is you" code: as many as a reset code. */
export const REAUTH_CODE_DIGITS = 8;

export type SendCodeProblem = 'RATE_LIMITED' | 'NOT_AUTHENTICATED';
export type CodeCheckProblem = CodeProblem | 'RATE_LIMITED';

/** What a signed-in account can confirm it is them with, for the "Confirm it is you" page. */
export interface ReauthMethods {
  password: boolean;
  /** How many passkeys the account has (0 when PASSKEYS=off). */
  passkeys: number;
}

/**
 * "Confirm it is you": marks a session as recently authenticated (RECENT_AUTH_TTL) for the
 * changes that ask for it. Three proofs: the current password (when the account has one), a
 * passkey (flows/passkeys), or an 8-digit code mailed to the account's stored address, which an
 * account without a password needs.
 *
 * A code is bound to the session that asked for it (the session id is part of its digest), so it
 * marks only that session: a code read by someone else, or typed into another signed-in browser,
 * confirms nothing there. It lives CODE_TTL, works once, and issuing one replaces the account's
 * older codes of this purpose (of any session), so at most one is live per account, with at most 5
 * wrong entries (S4). Every entry, right or wrong, first takes a point of the session's and the
 * account's re-authentication limits (RATE_LIMIT_REAUTH_SESSION, RATE_LIMIT_REAUTH_ACCOUNT; a right
 * code gives it back), and every send also a point of the inbox's mail budget
 * (RATE_LIMIT_FORGOT_EMAIL), so a stolen session can neither guess faster nor flood the inbox.
 */
export class ReauthService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      codes: OneTimeCodes;
      sessions: SessionService;
      clock: Clock;
      limits: RateLimits;
      /** The current-password check (EmailChangeService.reauthenticate). */
      checkPassword: Reauthenticate;
      passkeysEnabled: boolean;
    },
  ) {}

  isRecent(auth: ActiveSession): boolean {
    return this.deps.sessions.isRecentlyAuthenticated(auth.session);
  }

  async hasPassword(userId: string): Promise<boolean> {
    const user = await this.deps.store.users.findById(userId);
    return user !== undefined && user.password_hash !== null;
  }

  async methods(userId: string): Promise<ReauthMethods> {
    const { store, passkeysEnabled } = this.deps;
    return {
      password: await this.hasPassword(userId),
      passkeys: passkeysEnabled ? await store.passkeys.countForUser(userId) : 0,
    };
  }

  /** The current password: checked, and the session marked recently authenticated. */
  withPassword(
    auth: ActiveSession,
    password: string,
    context: RequestContext,
  ): Promise<Result<void, PasswordCheckProblem> & { retryAfterSeconds?: number }> {
    return this.deps.checkPassword(auth, password, context);
  }

  /** Mails a new code to the account's stored address (never to one typed in), through the outbox. */
  async sendCode(
    auth: ActiveSession,
    context: RequestContext,
  ): Promise<Result<{ expiresInSeconds: number }, SendCodeProblem> & { retryAfterSeconds?: number }> {
    const { store, outbox, codes, clock, limits } = this.deps;
    const user = await store.users.findById(auth.user.id);
    if (!user || user.disabled_at !== null) return fail('NOT_AUTHENTICATED');
    const reservation = await reserveAttempt([
      limits.reauthPerSession.step(limits.accountKey(`session:${auth.session.id}`), { countsAlways: true }),
      limits.reauthPerAccount.step(limits.accountKey(`user:${user.id}`), { countsAlways: true }),
      limits.forgotPerEmail.step(limits.accountKey(user.email_canonical), { countsAlways: true }),
    ]);
    if (!reservation.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: reservation.retryAfterSeconds };
    await store.transaction(async (tx) => {
      const code = await codes.issue(tx, {
        purpose: 'reauth-code',
        userId: user.id,
        digits: REAUTH_CODE_DIGITS,
        context,
        binding: auth.session.id,
      });
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'reauth-code',
        to: user.email,
        locale: user.locale,
        data: { name: greetingNameOf(user), code, expiresInSeconds: codes.ttlSeconds },
      });
      await tx.audit.record({ type: 'reauth.code_sent', userId: user.id, ...context, nowMs: clock.nowMs() });
    });
    outbox.wake();
    return ok({ expiresInSeconds: codes.ttlSeconds });
  }

  /**
   * Checks a mailed code for this session. CODE_INVALID: no live code for this session, or a wrong
   * one; CODE_SPENT: its 5 attempts are used up (a new code is needed).
   */
  async withCode(
    auth: ActiveSession,
    code: string,
    context: RequestContext,
  ): Promise<Result<void, CodeCheckProblem> & { retryAfterSeconds?: number }> {
    const { store, codes, clock, limits } = this.deps;
    const userId = auth.user.id;
    const reservation = await reserveAttempt([
      limits.reauthPerSession.step(limits.accountKey(`session:${auth.session.id}`)),
      limits.reauthPerAccount.step(limits.accountKey(`user:${userId}`)),
    ]);
    if (!reservation.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: reservation.retryAfterSeconds };
    const outcome = await store.transaction(async (tx): Promise<Result<void, CodeProblem>> => {
      const redeemed = await codes.redeem(tx, { purpose: 'reauth-code', userId, code, binding: auth.session.id });
      if (!redeemed.ok) return redeemed;
      const nowMs = clock.nowMs();
      await tx.sessions.markAuthenticated(auth.session.id, nowMs);
      await tx.audit.record({ type: 'reauthenticated', userId, ...context, nowMs, detail: { method: 'email-code' } });
      return ok(undefined);
    });
    if (outcome.ok) {
      await reservation.giveBack();
      return outcome;
    }
    await store.audit.record({ type: 'login.failed', userId, ...context, nowMs: clock.nowMs(), detail: { step: 'reauth-code' } });
    return outcome;
  }
}
