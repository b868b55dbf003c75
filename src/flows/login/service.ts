import type { ConfirmEmailMode, UsernameMode } from '../../config/account-config.ts';
import type { PasswordHasher } from '../../crypto/passwords/hasher.ts';
import type { Clock } from '../../kernel/clock.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { fail, ok, type Result } from '../../kernel/result.ts';
import { parseUsername } from '../../kernel/username.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import { reserveAttempt } from '../attempts.ts';
import type { RequestContext } from '../context.ts';
import { noSecondStep, type PendingSecondStep, type SecondStepPort } from '../mfa/second-step-port.ts';
import type { SecondFactorGate } from './second-factor.ts';
import type { NewSessionToken, SessionService } from './session-service.ts';
import type { LoginThrottle } from './throttle.ts';

export interface SignedIn {
  user: { id: string; email: string; name: string | null; username: string | null };
  session: NewSessionToken;
}

export type LoginProblem = 'INVALID_CREDENTIALS' | 'RATE_LIMITED' | 'EMAIL_NOT_CONFIRMED';
/** A session, or (for an account with a second factor) the pending second step. */
export type LoginResult = Result<SignedIn | PendingSecondStep, LoginProblem> & { retryAfterSeconds?: number };

/** Whether a login's answer is the pending second step rather than a session. */
export function needsSecondStep(value: SignedIn | PendingSecondStep): value is PendingSecondStep {
  return 'kind' in value && value.kind === 'second-factor';
}

/**
 * Password login by email or username. Unknown, disabled and password-less accounts verify a
 * dummy hash, so every failure costs one Argon2id verification and gives the same answer
 * (S7, S8, S14). "Not confirmed yet" is only said after the right password: an unknown address
 * can never get that far, so it tells nothing to someone who does not know the password.
 */
export class LoginService {
  constructor(
    private readonly deps: {
      store: Store;
      hasher: PasswordHasher;
      sessions: SessionService;
      limits: RateLimits;
      clock: Clock;
      throttle: LoginThrottle;
      secondFactors: SecondFactorGate;
      /** Asked after the password is verified: a second factor to pass first? (default: none) */
      secondStep?: SecondStepPort;
      confirmEmail: ConfirmEmailMode;
      usernames: UsernameMode;
    },
  ) {}

  async login(
    identifier: string,
    password: string,
    context: RequestContext,
    options: { remember: boolean; deviceCookie?: string | undefined; rememberedDevice?: string | undefined } = { remember: false },
  ): Promise<LoginResult> {
    const { store, hasher, limits, clock, throttle } = this.deps;
    const { user, canonical } = await this.findAccount(identifier);
    // A browser with a device cookie of this account is judged by its own failures; any other
    // client by the identifier's shared limit and slow-down (S29, LoginThrottle.forSignIn).
    const attempt = throttle.forSignIn(canonical, user, options.deviceCookie);
    // Every limit takes its point before the password is verified, atomically, so parallel
    // guesses cannot all pass a check made before any of them was counted. A refused step gives
    // back what the steps before it took; a verification that errors gives back everything.
    const reservation = await reserveAttempt([limits.loginPerIp.step(context.ip ?? 'unknown', { countsAlways: true }), ...attempt.steps]);
    if (!reservation.allowed) return { ...fail('RATE_LIMITED'), retryAfterSeconds: reservation.retryAfterSeconds };

    const usable = user && user.disabled_at === null && user.password_hash !== null ? user : undefined;
    let verified = false;
    try {
      if (usable) verified = await hasher.verifyPassword(usable.password_hash as string, password);
      else await hasher.verifyDummy(password);
    } catch (error) {
      await reservation.giveBack();
      throw error;
    }

    const nowMs = clock.nowMs();
    if (!usable || !verified) {
      if (usable) await store.users.recordFailedLogin(usable.id, nowMs);
      await store.audit.record({ type: 'login.failed', userId: user?.id ?? null, ...context, nowMs });
      return fail('INVALID_CREDENTIALS');
    }

    const currentHash = usable.password_hash as string;
    if (hasher.needsRehash(currentHash)) {
      await store.users.upgradePasswordHash(usable.id, currentHash, await hasher.hashPassword(password), nowMs);
    }
    await attempt.succeeded();
    if (this.deps.confirmEmail === 'required' && usable.email_confirmed_at === null) {
      await store.audit.record({ type: 'login.unconfirmed', userId: usable.id, ...context, nowMs });
      return fail('EMAIL_NOT_CONFIRMED');
    }
    // An account with a second factor gets a pending second step, not a session (S27), unless
    // this browser is one the user chose to remember (then amr stays 'pwd').
    const secondStep = await (this.deps.secondStep ?? noSecondStep).begin(usable, {
      persistent: options.remember,
      rememberedDevice: options.rememberedDevice,
      context,
    });
    if (secondStep) return ok(secondStep);
    const session = await this.startSession(usable, context, options.remember, 'login.succeeded');
    return ok({ user: publicUser(usable), session });
  }

  /**
   * AUTO_LOGIN_AFTER_RESET: a fresh session for a user who just completed a reset (every older
   * session was already ended by the reset). Never for a user with a second factor (S17): they
   * get SECOND_FACTOR_REQUIRED and go through the login page.
   */
  async signInAfterReset(
    userId: string,
    context: RequestContext,
  ): Promise<Result<SignedIn, 'SECOND_FACTOR_REQUIRED' | 'INVALID_CREDENTIALS'>> {
    if (await this.deps.secondFactors.requiredFor(userId)) return fail('SECOND_FACTOR_REQUIRED');
    const user = await this.deps.store.users.findById(userId);
    if (!user || user.disabled_at !== null) return fail('INVALID_CREDENTIALS');
    const session = await this.startSession(user, context, false, 'login.after_reset');
    return ok({ user: publicUser(user), session });
  }

  /** The account an identifier names: an email address, or a username when USERNAMES is on. */
  private async findAccount(identifier: string): Promise<{ user: UserRecord | undefined; canonical: string }> {
    const { store, usernames } = this.deps;
    if (identifier.includes('@')) {
      const address = parseEmailAddress(identifier);
      if (!address) return { user: undefined, canonical: identifier.trim().toLowerCase() };
      return { user: await store.users.findByCanonicalEmail(address.canonical), canonical: address.canonical };
    }
    const username = usernames === 'off' ? undefined : parseUsername(identifier);
    if (!username) return { user: undefined, canonical: identifier.trim().toLowerCase() };
    return { user: await store.users.findByCanonicalUsername(username.canonical), canonical: `username:${username.canonical}` };
  }

  private async startSession(
    user: UserRecord,
    context: RequestContext,
    persistent: boolean,
    event: 'login.succeeded' | 'login.after_reset',
  ): Promise<NewSessionToken> {
    const { store, sessions } = this.deps;
    return store.transaction((tx) => sessions.signIn(tx, user.id, context, { persistent, event }));
  }
}

export function publicUser(user: UserRecord): SignedIn['user'] {
  return { id: user.id, email: user.email, name: user.name, username: user.username };
}
