import type { Outbox } from '../../courier/outbox.ts';
import type { Clock } from '../../kernel/clock.ts';
import { phoneForLogs } from '../../kernel/phone-number.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { Store } from '../../store/store.ts';
import type { CodeProblem, OneTimeCodes } from '../codes/one-time-codes.ts';
import type { RequestContext } from '../context.ts';
import type { SessionService } from '../login/session-service.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import type { PasswordCheckProblem } from '../settings/password-change.ts';
import type { SmsRefusal, SmsSender } from '../sms/sender.ts';

/** Digits of a phone-verification code (6 digits, CODE_TTL, at most 5 wrong entries). */
export const PHONE_CODE_DIGITS = 6;

export type RecentAuthProblem = 'REAUTH_REQUIRED' | PasswordCheckProblem;
export type PhoneStartProblem = RecentAuthProblem | SmsRefusal;
export type PhoneVerifyProblem = CodeProblem | 'SMS_UNAVAILABLE' | 'NOT_AUTHENTICATED';

/** The account's verified phone, as pages and the API show it to its owner. */
export interface PhoneView {
  phone: string;
  verifiedAtMs: number;
}

/** Carries an SMS refusal out of the transaction, so that the code issued in it is rolled back. */
class RollBack extends Error {
  constructor(readonly refusal: Result<never, SmsRefusal> & { ok: false }) {
    super(refusal.code);
  }
}

/**
 * Adding, verifying and removing the account's phone number. Adding and removing change where
 * codes may be sent (a second factor and, with RECOVERY_METHODS=sms, a way to reset the password),
 * so both need a recent authentication: a stolen session alone cannot put the thief's phone on the
 * account. The number is stored only once a 6-digit code sent to it (10 minutes, at most 5 wrong
 * entries counted before comparing, OneTimeCodes) is entered back; the number travels with the
 * code's row (`target_phone`), so a code only ever verifies the number it was sent to. The
 * account's address is told of every addition and removal.
 */
export class PhoneService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      clock: Clock;
      codes: OneTimeCodes;
      sender: SmsSender;
      sessions: SessionService;
      /** Checks the current password and marks the session recently authenticated (POST /api/reauthenticate's core). */
      reauthenticate: (
        auth: ActiveSession,
        password: string,
        context: RequestContext,
      ) => Promise<Result<void, PasswordCheckProblem> & { retryAfterSeconds?: number }>;
    },
  ) {}

  get available(): boolean {
    return this.deps.sender.available;
  }

  /** The verified phone of the user, or null. */
  async current(userId: string): Promise<PhoneView | null> {
    const user = await this.deps.store.users.findById(userId);
    if (!user?.phone || user.phone_verified_at === null) return null;
    return { phone: user.phone, verifiedAtMs: Number(user.phone_verified_at) };
  }

  /** The number a code is on its way to (the newest live one), for the code entry page. */
  async pending(userId: string): Promise<string | null> {
    const token = await this.deps.store.tokens.findLatestLive(userId, 'phone-verify', this.deps.clock.nowMs());
    return token?.target_phone ?? null;
  }

  /** Recent enough (RECENT_AUTH_TTL), or made so by the password given with the request. */
  async ensureRecentAuth(
    auth: ActiveSession,
    password: string | undefined,
    context: RequestContext,
  ): Promise<Result<void, RecentAuthProblem> & { retryAfterSeconds?: number }> {
    if (password) return this.deps.reauthenticate(auth, password, context);
    return this.deps.sessions.isRecentlyAuthenticated(auth.session) ? ok(undefined) : fail('REAUTH_REQUIRED');
  }

  /**
   * Sends a code to the typed number (after the recent-authentication check, parsing, SMS_COUNTRIES
   * and the SMS limits). A new code replaces any earlier one; the account's phone is unchanged
   * until the code comes back. Returns the number in E.164.
   */
  async start(
    auth: ActiveSession,
    typed: string,
    password: string | undefined,
    context: RequestContext,
  ): Promise<Result<{ phone: string }, PhoneStartProblem> & { retryAfterSeconds?: number }> {
    const { store, outbox, clock, codes, sender } = this.deps;
    if (!sender.available) return fail('SMS_UNAVAILABLE');
    const number = sender.parse(typed);
    if (!number.ok) return number;
    const recent = await this.ensureRecentAuth(auth, password, context);
    if (!recent.ok) return recent;
    const phone = number.value.e164;
    try {
      await store.transaction(async (tx) => {
        const code = await codes.issue(tx, {
          purpose: 'phone-verify',
          userId: auth.user.id,
          digits: PHONE_CODE_DIGITS,
          context,
          targetPhone: phone,
        });
        const sent = await sender.sendCode(tx, { userId: auth.user.id, to: phone, code, locale: auth.user.locale });
        if (!sent.ok) throw new RollBack(sent);
        await tx.audit.record({
          type: 'phone.code_sent',
          userId: auth.user.id,
          ...context,
          nowMs: clock.nowMs(),
          detail: { to: phoneForLogs(phone) },
        });
      });
    } catch (error) {
      if (error instanceof RollBack) return error.refusal;
      throw error;
    }
    outbox.wake();
    return ok({ phone });
  }

  /**
   * Checks the code (the attempt counted first, committed even when wrong) and, when right, makes
   * the number it was sent to the account's verified phone, in the same transaction as the code's
   * use, with an audit event and a notice to the account's address.
   */
  async verify(auth: ActiveSession, code: string, context: RequestContext): Promise<Result<PhoneView, PhoneVerifyProblem>> {
    const { store, outbox, clock, codes, sender } = this.deps;
    if (!sender.available) return fail('SMS_UNAVAILABLE');
    const result = await store.transaction(async (tx): Promise<Result<PhoneView, PhoneVerifyProblem>> => {
      const redeemed = await codes.redeem(tx, { purpose: 'phone-verify', userId: auth.user.id, code });
      if (!redeemed.ok) return redeemed;
      const phone = redeemed.value.target_phone;
      const user = await tx.users.findById(auth.user.id);
      if (!phone || !user) return fail('NOT_AUTHENTICATED');
      const nowMs = clock.nowMs();
      await tx.users.setPhone(user.id, phone, nowMs);
      await tx.audit.record({ type: 'phone.added', userId: user.id, ...context, nowMs, detail: { phone: phoneForLogs(phone) } });
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'phone-changed',
        to: user.email,
        locale: user.locale,
        data: { name: greetingNameOf(user), change: 'added', endsWith: phone.slice(-2), atMs: nowMs },
      });
      return ok({ phone, verifiedAtMs: nowMs });
    });
    if (result.ok) outbox.wake();
    return result;
  }

  /**
   * Removes the phone (after the recent-authentication check) and revokes any code on its way to
   * a new one. Removing when there is none changes nothing and tells no one.
   */
  async remove(
    auth: ActiveSession,
    password: string | undefined,
    context: RequestContext,
  ): Promise<Result<{ removed: boolean }, RecentAuthProblem> & { retryAfterSeconds?: number }> {
    const { store, outbox, clock } = this.deps;
    const recent = await this.ensureRecentAuth(auth, password, context);
    if (!recent.ok) return recent;
    const removed = await store.transaction(async (tx) => {
      const nowMs = clock.nowMs();
      await tx.tokens.revokeLive(auth.user.id, ['phone-verify'], nowMs);
      const user = await tx.users.findById(auth.user.id);
      if (!user?.phone) return false;
      await tx.users.setPhone(user.id, null, nowMs);
      await tx.audit.record({ type: 'phone.removed', userId: user.id, ...context, nowMs, detail: { phone: phoneForLogs(user.phone) } });
      await outbox.enqueue(tx.outbox, 'mail', {
        template: 'phone-changed',
        to: user.email,
        locale: user.locale,
        data: { name: greetingNameOf(user), change: 'removed', endsWith: user.phone.slice(-2), atMs: nowMs },
      });
      return true;
    });
    if (removed) outbox.wake();
    return ok({ removed });
  }
}
