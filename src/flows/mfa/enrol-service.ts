import type { Outbox } from '../../courier/outbox.ts';
import type { SecondFactorChange } from '../../courier/templates/types.ts';
import type { MfaDeps } from '../../deps/mfa.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { AuditEventType } from '../../store/audit-repository.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import { reserveAttempt } from '../attempts.ts';
import type { RequestContext } from '../context.ts';
import type { SessionService } from '../login/session-service.ts';
import { greetingNameOf } from '../mail-greeting.ts';
import type { PasswordCheckProblem } from '../settings/password-change.ts';
import type { SecondStepMethod } from './factors.ts';
import type { TotpSetup } from './totp.ts';

export type EnrolProblem =
  | PasswordCheckProblem
  | 'REAUTH_REQUIRED'
  | 'TOTP_ALREADY_ENABLED'
  | 'TOTP_NOT_ENABLED'
  | 'TOTP_SETUP_NOT_STARTED'
  | 'CODE_INVALID';
export type EnrolResult<T> = Result<T, EnrolProblem> & { retryAfterSeconds?: number };

/** What `GET /api/mfa` and the two-step page show. */
export interface TwoFactorStatus {
  totp: boolean;
  recoveryCodesLeft: number;
  methods: SecondStepMethod[];
}

/** Checks the current password and marks the session recently authenticated (the settings flow's re-authentication). */
export type Reauthenticate = (
  auth: ActiveSession,
  password: string,
  context: RequestContext,
) => Promise<Result<void, PasswordCheckProblem> & { retryAfterSeconds?: number }>;

/** The proof of a recent authentication a change asks for: the password now, or a session that gave it lately. */
export interface Proof {
  auth: ActiveSession;
  /** The current password, when the caller gives it with the request (pages ask for it once the entry is old). */
  password?: string | undefined;
}

/**
 * Turning two-step sign-in on and off, and new recovery codes. Every change needs a recent
 * authentication (the password given in this session within RECENT_AUTH_TTL, or with the
 * request; REAUTH_REQUIRED otherwise), so a stolen session alone can neither turn it off nor lock
 * the owner out by enrolling an authenticator of its own. Each change is one transaction with its
 * audit event and a notice mail to the account's address (S18, S24). Code checks take a point
 * of the re-authentication limits of the session and the account before comparing (S4), given
 * back when the code is right.
 */
export class MfaEnrolService {
  constructor(
    private readonly deps: {
      store: Store;
      outbox: Outbox;
      mfa: Pick<MfaDeps, 'totp' | 'recoveryCodes' | 'factors'>;
      sessions: SessionService;
      reauthenticate: Reauthenticate;
      clock: Clock;
      limits: RateLimits;
    },
  ) {}

  async status(userId: string): Promise<TwoFactorStatus> {
    const { store, mfa } = this.deps;
    const totp = await mfa.totp.isEnabled(store, userId);
    const recoveryCodesLeft = totp ? await mfa.recoveryCodes.remaining(store, userId) : 0;
    return { totp, recoveryCodesLeft, methods: await mfa.factors.methodsFor(userId) };
  }

  /** Whether the session gave its password recently enough for a change without asking again. */
  isRecent(auth: ActiveSession): boolean {
    return this.deps.sessions.isRecentlyAuthenticated(auth.session);
  }

  /** A new secret for an authenticator app (replacing a started, unconfirmed one). */
  async startSetup(proof: Proof, context: RequestContext): Promise<EnrolResult<TotpSetup>> {
    const recent = await this.authenticate(proof, context);
    if (!recent.ok) return recent;
    const setup = await this.deps.mfa.totp.startSetup(this.deps.store, proof.auth.user.id, proof.auth.user.email);
    return setup ? ok(setup) : fail('TOTP_ALREADY_ENABLED');
  }

  /** The started setup's secret again, for the set-up page (it stays readable until confirmed). */
  async pendingSetup(proof: Proof, context: RequestContext): Promise<EnrolResult<TotpSetup>> {
    const recent = await this.authenticate(proof, context);
    if (!recent.ok) return recent;
    const { store, mfa } = this.deps;
    const { id, email } = proof.auth.user;
    if (await mfa.totp.isEnabled(store, id)) return fail('TOTP_ALREADY_ENABLED');
    const setup = await mfa.totp.pendingSetup(store, id, email);
    return setup ? ok(setup) : fail('TOTP_SETUP_NOT_STARTED');
  }

  /**
   * Confirms the started setup with a code from the app: in one transaction the authenticator is
   * confirmed (its time step used), ten recovery codes replace any earlier ones, and the event
   * and the notice are written. The codes are returned to be shown once; only digests are kept.
   */
  async confirm(proof: Proof, code: string, context: RequestContext): Promise<EnrolResult<{ recoveryCodes: string[] }>> {
    const recent = await this.authenticate(proof, context);
    if (!recent.ok) return recent;
    const { store, mfa } = this.deps;
    const userId = proof.auth.user.id;
    const record = await store.mfa.findTotp(userId);
    if (!record) return fail('TOTP_SETUP_NOT_STARTED');
    if (record.confirmed_at !== null) return fail('TOTP_ALREADY_ENABLED');
    return this.withCodeAttempt(proof.auth, async () => {
      const codes = await store.transaction(async (tx) => {
        if (!(await mfa.totp.confirm(tx, userId, code))) return undefined;
        const recoveryCodes = await mfa.recoveryCodes.regenerate(tx, userId);
        await this.record(tx, userId, 'mfa.totp_enabled', 'enabled', context);
        return recoveryCodes;
      });
      return codes ? ok({ recoveryCodes: codes }) : fail('CODE_INVALID');
    });
  }

  /** Ten new recovery codes; every earlier one stops working. */
  async regenerateRecoveryCodes(proof: Proof, context: RequestContext): Promise<EnrolResult<{ recoveryCodes: string[] }>> {
    const recent = await this.authenticate(proof, context);
    if (!recent.ok) return recent;
    const { store, mfa } = this.deps;
    const userId = proof.auth.user.id;
    const codes = await store.transaction(async (tx) => {
      if (!(await mfa.totp.isEnabled(tx, userId))) return undefined;
      const recoveryCodes = await mfa.recoveryCodes.regenerate(tx, userId);
      await this.record(tx, userId, 'mfa.recovery_codes_regenerated', 'recovery-codes-regenerated', context);
      return recoveryCodes;
    });
    this.deps.outbox.wake();
    return codes ? ok({ recoveryCodes: codes }) : fail('TOTP_NOT_ENABLED');
  }

  /**
   * Turns two-step sign-in off with a current code from the app or an unused recovery code (which
   * is used up): the authenticator, the recovery codes and every remembered device go, and every
   * pending second step ends, in one transaction with the event and the notice.
   */
  async disable(proof: Proof, code: string, context: RequestContext): Promise<EnrolResult<void>> {
    const recent = await this.authenticate(proof, context);
    if (!recent.ok) return recent;
    const { store, mfa } = this.deps;
    const userId = proof.auth.user.id;
    if (!(await mfa.totp.isEnabled(store, userId))) return fail('TOTP_NOT_ENABLED');
    return this.withCodeAttempt(proof.auth, async () => {
      const done = await store.transaction(async (tx) => {
        const method = /^\s*\d{3}\s?\d{3}\s*$/.test(code) ? 'totp' : 'recovery_code';
        const passed = method === 'totp' ? await mfa.totp.verify(tx, userId, code) : await mfa.recoveryCodes.use(tx, userId, code);
        if (!passed) return false;
        await mfa.factors.removeAll(tx, userId);
        await this.record(tx, userId, 'mfa.totp_disabled', 'disabled', context, { method });
        return true;
      });
      return done ? ok(undefined) : fail('CODE_INVALID');
    });
  }

  /**
   * `latchkey users mfa-reset`: an administrator removes every second factor of an account (the
   * user lost the phone and the recovery codes), with the event and a notice to the account's
   * address. Sessions stay; the next sign-in needs the password only.
   */
  async resetByAdmin(
    email: string,
    context: RequestContext,
  ): Promise<Result<{ user: UserRecord; removed: boolean }, 'EMAIL_INVALID' | 'USER_NOT_FOUND'>> {
    const { store, mfa } = this.deps;
    const address = parseEmailAddress(email);
    if (!address) return fail('EMAIL_INVALID');
    const user = await store.users.findByCanonicalEmail(address.canonical);
    if (!user) return fail('USER_NOT_FOUND');
    const removed = await store.transaction(async (tx) => {
      const hadTotp = await mfa.totp.isEnabled(tx, user.id);
      const hadCodes = (await mfa.recoveryCodes.remaining(tx, user.id)) > 0;
      await mfa.factors.removeAll(tx, user.id);
      if (!hadTotp && !hadCodes) return false;
      await this.record(tx, user.id, 'mfa.reset_by_admin', 'reset-by-admin', context);
      return true;
    });
    this.deps.outbox.wake();
    return ok({ user, removed });
  }

  /**
   * The password with the request (checked, and the session marked recently authenticated), else
   * a recent enough entry. Answers the session as it is now, so a page can go on without asking again.
   */
  async authenticate(proof: Proof, context: RequestContext): Promise<EnrolResult<ActiveSession>> {
    if (proof.password !== undefined && proof.password !== '') {
      const checked = await this.deps.reauthenticate(proof.auth, proof.password, context);
      if (!checked.ok) return checked;
      return ok({ ...proof.auth, session: { ...proof.auth.session, authenticated_at: this.deps.clock.nowMs() } });
    }
    return this.isRecent(proof.auth) ? ok(proof.auth) : fail('REAUTH_REQUIRED');
  }

  /**
   * Runs a code check after taking a point of the session's and the account's re-authentication
   * limits; a right code gives the point back. Parallel guesses cannot pass the limit.
   */
  private async withCodeAttempt<T>(auth: ActiveSession, check: () => Promise<EnrolResult<T>>): Promise<EnrolResult<T>> {
    const { limits } = this.deps;
    const reservation = await reserveAttempt([
      limits.reauthPerSession.step(limits.accountKey(`session:${auth.session.id}`)),
      limits.reauthPerAccount.step(limits.accountKey(`user:${auth.user.id}`)),
    ]);
    if (!reservation.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: reservation.retryAfterSeconds };
    let result: EnrolResult<T>;
    try {
      result = await check();
    } catch (error) {
      await reservation.giveBack();
      throw error;
    }
    if (result.ok) {
      await reservation.giveBack();
      this.deps.outbox.wake();
    }
    return result;
  }

  /** The audit event and the notice mail of a change, inside its transaction. */
  private async record(
    tx: Store,
    userId: string,
    type: AuditEventType,
    change: SecondFactorChange,
    context: RequestContext,
    detail?: Record<string, string>,
  ): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    const user = await tx.users.findById(userId);
    if (!user) return;
    await tx.audit.record({ type, userId, ...context, nowMs, ...(detail ? { detail } : {}) });
    await this.deps.outbox.enqueue(tx.outbox, 'mail', {
      template: 'second-factor-changed',
      to: user.email,
      locale: user.locale,
      data: { name: greetingNameOf(user), change, changedAtMs: nowMs },
    });
  }
}
