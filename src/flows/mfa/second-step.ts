import type { Outbox } from '../../courier/outbox.ts';
import { generateToken, isTokenShaped, type TokenDigester } from '../../crypto/tokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId, type RandomSource } from '../../kernel/random.ts';
import { fail, ok } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { PendingLoginRecord } from '../../store/pending-logins-repository.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import { reserveAttempt } from '../attempts.ts';
import type { OneTimeCodes } from '../codes/one-time-codes.ts';
import type { RequestContext } from '../context.ts';
import { publicUser } from '../login/service.ts';
import type { SessionService } from '../login/session-service.ts';
import { isCodeMethod, type SecondFactorMethod, type SecondFactors, type SecondStepMethod } from './factors.ts';
import type { RecoveryCodes } from './recovery-codes.ts';
import type { RememberedDeviceTokens } from './remember-device.ts';
import {
  type FirstFactor,
  LOGIN_CODE_DIGITS,
  MAX_SECOND_FACTOR_FAILURES,
  PENDING_LOGIN_SECONDS,
  type PendingSecondStep,
  type SecondStepDone,
  type SecondStepPort,
  type SecondStepResult,
  type SmsPort,
  secondStepAmr,
} from './second-step-port.ts';
import type { TotpAuthenticator } from './totp.ts';

/**
 * The second step of sign-in (S27). A verified password for an account with a second factor
 * yields a pending sign-in (5 minutes, bound to the user and that password check; the cookie's
 * 256-bit token is stored only as a keyed digest), never a session. Each code entered is counted
 * on the pending sign-in before it is compared (one conditional UPDATE: of any number of parallel
 * guesses at most 5 are compared), and on a per-account limit across pending sign-ins, so
 * guesses spread over many password checks stay bounded too. The fifth wrong code ends it.
 */
export class SecondStepService implements SecondStepPort {
  constructor(
    private readonly deps: {
      store: Store;
      factors: SecondFactors;
      totp: TotpAuthenticator;
      recoveryCodes: RecoveryCodes;
      codes: OneTimeCodes;
      remembered: RememberedDeviceTokens;
      sessions: SessionService;
      outbox: Outbox;
      limits: RateLimits;
      digester: TokenDigester;
      random: RandomSource;
      clock: Clock;
      sms?: SmsPort | undefined;
    },
  ) {}

  async begin(
    user: UserRecord,
    o: { persistent: boolean; rememberedDevice?: string | undefined; context: RequestContext; firstFactor?: FirstFactor },
  ): Promise<PendingSecondStep | undefined> {
    const { store, factors, remembered, digester, random, clock } = this.deps;
    const methods = await factors.methodsFor(user.id);
    if (methods.length === 0) return undefined;
    if (await remembered.recognises(store, user.id, o.rememberedDevice)) return undefined;
    const pendingToken = generateToken(random);
    const nowMs = clock.nowMs();
    await store.transaction(async (tx) => {
      await tx.pendingLogins.create({
        id: newId(),
        digest: digester.digest(pendingSubject(pendingToken)),
        userId: user.id,
        firstFactor: o.firstFactor ?? 'pwd',
        persistent: o.persistent,
        nowMs,
        expiresAtMs: nowMs + PENDING_LOGIN_SECONDS * 1000,
      });
      await tx.audit.record({
        type: 'login.second_factor_required',
        userId: user.id,
        ...o.context,
        nowMs,
        detail: { firstFactor: o.firstFactor ?? 'pwd' },
      });
    });
    return { kind: 'second-factor', pendingToken, methods };
  }

  /** The codes a live pending sign-in may be finished with (its code form), or undefined (expired, ended, unknown). */
  async methodsOf(pendingToken: string | undefined): Promise<SecondFactorMethod[] | undefined> {
    return (await this.stepMethodsOf(pendingToken))?.filter(isCodeMethod);
  }

  /** Every method a live pending sign-in may use, 'passkey' included, or undefined. */
  async stepMethodsOf(pendingToken: string | undefined): Promise<SecondStepMethod[] | undefined> {
    const found = await this.livePending(pendingToken);
    return found && (await this.deps.factors.methodsFor(found.user.id));
  }

  /** Finishes a pending sign-in with a code: the session (amr pwd otp), or why not. */
  async complete(
    pendingToken: string | undefined,
    entry: { method: SecondFactorMethod; code: string; rememberDevice: boolean },
    context: RequestContext,
  ): Promise<SecondStepResult<SecondStepDone>> {
    const { store, limits, clock } = this.deps;
    const found = await this.livePending(pendingToken);
    if (!found) return fail('SECOND_FACTOR_EXPIRED');
    const { pending, user } = found;
    if (!(await this.deps.factors.methodsFor(user.id)).includes(entry.method)) return fail('METHOD_UNAVAILABLE');

    // Counted before comparing: on the pending sign-in (at most 5, then it is dead) and on the
    // account's limit across pending sign-ins (a refused one gives the pending count back).
    if (!(await store.pendingLogins.countAttempt(pending.id, MAX_SECOND_FACTOR_FAILURES, clock.nowMs()))) {
      await store.pendingLogins.end(pending.id, clock.nowMs());
      return fail('SECOND_FACTOR_EXPIRED');
    }
    const reservation = await reserveAttempt([limits.secondFactorPerAccount.step(user.id)]);
    if (!reservation.allowed) {
      await store.pendingLogins.giveBackAttempt(pending.id);
      return { ...fail('RATE_LIMITED'), retryAfterSeconds: reservation.retryAfterSeconds };
    }

    let outcome: SecondStepResult<SecondStepDone>;
    try {
      outcome = await store.transaction((tx) => this.checkAndSignIn(tx, pending, user, entry, context));
    } catch (error) {
      if (!(error instanceof PendingEnded)) throw error;
      outcome = fail('SECOND_FACTOR_EXPIRED');
    }
    const nowMs = clock.nowMs();
    if (outcome.ok) {
      await store.pendingLogins.giveBackAttempt(pending.id);
      await reservation.giveBack();
      this.deps.outbox.wake();
      return outcome;
    }
    if (outcome.code !== 'CODE_INVALID') return outcome;
    await store.audit.record({ type: 'login.second_factor_failed', userId: user.id, ...context, nowMs, detail: { method: entry.method } });
    if (Number(pending.failures) + 1 >= MAX_SECOND_FACTOR_FAILURES) {
      await store.pendingLogins.end(pending.id, nowMs);
      return fail('SECOND_FACTOR_EXPIRED');
    }
    return outcome;
  }

  /** Sends a sign-in code by mail or SMS for a live pending sign-in (through the outbox). */
  async sendCode(
    pendingToken: string | undefined,
    method: 'email_code' | 'sms_code',
    context: RequestContext,
  ): Promise<SecondStepResult<{ expiresInSeconds: number }>> {
    const { store, limits, codes, outbox, clock } = this.deps;
    const found = await this.livePending(pendingToken);
    if (!found) return fail('SECOND_FACTOR_EXPIRED');
    const { pending, user } = found;
    const sms = this.deps.sms;
    if (!(await this.deps.factors.methodsFor(user.id)).includes(method)) return fail('METHOD_UNAVAILABLE');
    if (method === 'sms_code' && (!sms || !user.phone)) return fail('METHOD_UNAVAILABLE');
    const perPending = await limits.secondFactorSendPerPending.consume(pending.id);
    if (!perPending.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: perPending.retryAfterSeconds };
    if (method === 'email_code') {
      // The same per-address budget as every other mail a visitor can trigger (forgot password).
      const budget = await limits.forgotPerEmail.consume(limits.accountKey(user.email_canonical));
      if (!budget.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: budget.retryAfterSeconds };
    }
    const queued = store.transaction(async (tx) => {
      const nowMs = clock.nowMs();
      const code = await codes.issue(tx, {
        purpose: 'login-code',
        userId: user.id,
        digits: LOGIN_CODE_DIGITS,
        context,
        ...(method === 'sms_code' && user.phone ? { targetPhone: user.phone } : {}),
      });
      if (method === 'email_code') {
        await outbox.enqueue(tx.outbox, 'mail', {
          template: 'login-code',
          to: user.email,
          locale: user.locale,
          data: { name: user.name, code, expiresInSeconds: codes.ttlSeconds },
        });
      } else if (sms && user.phone) {
        // A refused SMS (its per-number or per-account limit) rolls the new code back.
        const sent = await sms.sendCode(tx, { userId: user.id, to: user.phone, code, locale: user.locale });
        if (!sent.ok) throw new SmsRefused();
      }
      await tx.audit.record({ type: 'login.second_factor_code_sent', userId: user.id, ...context, nowMs, detail: { method } });
    });
    try {
      await queued;
    } catch (error) {
      if (error instanceof SmsRefused) return fail('RATE_LIMITED');
      throw error;
    }
    outbox.wake();
    return ok({ expiresInSeconds: codes.ttlSeconds });
  }

  /** Inside one transaction: the code is used, the pending sign-in ended and the session made together. */
  private async checkAndSignIn(
    tx: Store,
    pending: PendingLoginRecord,
    user: UserRecord,
    entry: { method: SecondFactorMethod; code: string; rememberDevice: boolean },
    context: RequestContext,
  ): Promise<SecondStepResult<SecondStepDone>> {
    if (!(await this.verify(tx, user.id, entry))) return fail('CODE_INVALID');
    return this.signIn(tx, pending, user, entry, context);
  }

  /**
   * Ends the pending sign-in and makes the session, inside `tx`, once its second factor was
   * verified (a code above; a passkey assertion in flows/passkeys). The session's amr is the
   * first factor's followed by the method's.
   */
  async signIn(
    tx: Store,
    pending: PendingLoginRecord,
    user: UserRecord,
    entry: { method: SecondStepMethod; rememberDevice: boolean },
    context: RequestContext,
  ): Promise<SecondStepResult<SecondStepDone>> {
    const { clock, sessions } = this.deps;
    const nowMs = clock.nowMs();
    // Two right codes for one pending sign-in at once: one session; the other rolls back.
    if (!(await tx.pendingLogins.end(pending.id, nowMs))) throw new PendingEnded();
    const persistent = Number(pending.persistent) === 1;
    const amr = secondStepAmr(pending.first_factor, entry.method);
    const session = await sessions.signIn(tx, user.id, context, {
      persistent,
      amr,
      detail: { firstFactor: pending.first_factor, secondFactor: entry.method },
    });
    if (entry.method === 'recovery_code') {
      const remaining = await this.deps.recoveryCodes.remaining(tx, user.id);
      await this.deps.outbox.enqueue(tx.outbox, 'mail', {
        template: 'recovery-code-used',
        to: user.email,
        locale: user.locale,
        data: { name: user.name, remaining, usedAtMs: nowMs },
      });
    }
    const rememberCookie = entry.rememberDevice ? await this.deps.remembered.remember(tx, user.id) : undefined;
    return ok({ user: publicUser(user), session, ...(rememberCookie ? { rememberCookie } : {}) });
  }

  private async verify(tx: Store, userId: string, entry: { method: SecondFactorMethod; code: string }): Promise<boolean> {
    switch (entry.method) {
      case 'totp':
        return this.deps.totp.verify(tx, userId, entry.code);
      case 'recovery_code':
        return this.deps.recoveryCodes.use(tx, userId, entry.code);
      case 'email_code':
      case 'sms_code':
        return (await this.deps.codes.redeem(tx, { purpose: 'login-code', userId, code: entry.code })).ok;
    }
  }

  /**
   * Counts one attempt of another kind of second factor (a passkey) on the pending sign-in before
   * it is checked: false when the pending sign-in has no attempt left (it is then ended).
   */
  async countAttempt(pending: PendingLoginRecord): Promise<boolean> {
    const { store, clock } = this.deps;
    if (await store.pendingLogins.countAttempt(pending.id, MAX_SECOND_FACTOR_FAILURES, clock.nowMs())) return true;
    await store.pendingLogins.end(pending.id, clock.nowMs());
    return false;
  }

  /** After a refused attempt counted with countAttempt: the fifth ends the pending sign-in. */
  async attemptFailed(pending: PendingLoginRecord): Promise<void> {
    if (Number(pending.failures) + 1 >= MAX_SECOND_FACTOR_FAILURES)
      await this.deps.store.pendingLogins.end(pending.id, this.deps.clock.nowMs());
  }

  /** The live pending sign-in a cookie names, with its user (for a passkey as second factor). */
  async livePending(pendingToken: string | undefined): Promise<{ pending: PendingLoginRecord; user: UserRecord } | undefined> {
    if (!isTokenShaped(pendingToken)) return undefined;
    const { store, digester, clock } = this.deps;
    const pending = await store.pendingLogins.findLive(digester.candidateDigests(pendingSubject(pendingToken)), clock.nowMs());
    if (!pending) return undefined;
    const user = await store.users.findById(pending.user_id);
    if (!user || user.disabled_at !== null) return undefined;
    // A password-first sign-in dies with the password (an undone email change clears it).
    if (pending.first_factor === 'pwd' && user.password_hash === null) return undefined;
    return { pending, user };
  }
}

/** Thrown inside the transaction when the SMS sender refused the text: the code is rolled back. */
class SmsRefused extends Error {}

/** Thrown inside the transaction when another request completed this pending sign-in first. */
class PendingEnded extends Error {}

function pendingSubject(token: string): string {
  return `pending-login.${token}`;
}
