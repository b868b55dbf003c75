import type { Clock } from '../../kernel/clock.ts';
import type { LimitDecision } from '../../rate-limits/limiter.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import { delayMsAfter, type ThrottleRule } from '../../store/login-throttles-repository.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { AttemptStep } from '../attempts.ts';
import type { DeviceCookies } from './device-cookies.ts';

const WINDOW_MS = 3_600_000;

export interface ThrottleSettings {
  /** Failures before each further attempt must wait (LOGIN_THROTTLE_AFTER). */
  after: number;
  /** The longest wait (LOGIN_THROTTLE_MAX_DELAY): at 60 s an account sees fewer than 100 failures an hour. */
  maxDelaySeconds: number;
}

/** The limits one sign-in attempt takes a point of (after the per-IP one), and what its success clears. */
export interface SignInAttempt {
  steps: AttemptStep[];
  /** The password was right: clears what this client's failures had counted. */
  succeeded(): Promise<void>;
}

/**
 * Slow-down after repeated failed password attempts: after `after` failures, the next attempt
 * must wait 1 s, then 2, 4 ... up to `maxDelaySeconds`. Never a lock: the wait is bounded, a
 * failure-free hour forgets everything, and a completed reset or a successful sign-in clears it.
 * At sign-in it applies to untrusted clients only (see `forSignIn`): a browser with a device
 * cookie of the account is judged by that cookie's own failures instead.
 *
 * Keyed by what the client typed (the canonical email, or `username:` and the canonical
 * username), never by the account it names: a known and an unknown identifier, and the email and
 * the username of one account, are slowed down exactly alike and apart, so the slow-down tells
 * nothing about which identifiers exist or belong together (S7).
 *
 * An attempt is reserved before its password is verified (one conditional statement, see the
 * repository), so parallel attempts cannot all pass; a success clears or gives the attempt back.
 */
export class LoginThrottle {
  private readonly rule: ThrottleRule;

  constructor(
    private readonly deps: { store: Store; clock: Clock; limits: RateLimits; devices: DeviceCookies; settings: ThrottleSettings },
  ) {
    this.rule = { ...deps.settings, windowMs: WINDOW_MS };
  }

  /**
   * The limits of one sign-in (OWASP device cookies, S29). A client presenting a valid device
   * cookie of the account it signs in to, issued since the account's last password change, is
   * judged only by that cookie's own failures (RATE_LIMIT_LOGIN_DEVICE; spent, that cookie alone
   * is refused until its window ends). Every other client (no cookie, one that does not open, has
   * expired, names another account, or predates a password change) is untrusted and shares the
   * per-identifier limit and slow-down, so an attacker's failures from anywhere never reach the
   * owner's known browsers. Whether a client is trusted depends only on a cookie only the
   * account's own sign-ins can have produced, so it tells nothing about which accounts exist.
   */
  forSignIn(
    identifierCanonical: string,
    user: Pick<UserRecord, 'id' | 'password_changed_at'> | undefined,
    deviceCookie: string | undefined,
  ): SignInAttempt {
    const { limits, devices } = this.deps;
    const device = devices.open(deviceCookie);
    // A password change (or reset) ends the trust of every browser that signed in before it.
    if (user && device && device.userId === user.id && device.issuedAtMs >= Number(user.password_changed_at ?? 0)) {
      const deviceKey = limits.accountKey(`device:${device.nonce}`);
      return {
        steps: [limits.loginPerDevice.step(deviceKey)],
        succeeded: () => limits.loginPerDevice.reset(deviceKey),
      };
    }
    const accountKey = limits.accountKey(identifierCanonical);
    const throttleKey = this.keyFor(identifierCanonical);
    return {
      steps: [limits.loginPerAccount.step(accountKey), this.step(throttleKey)],
      succeeded: async () => {
        await this.clear(throttleKey);
        await limits.loginPerAccount.reset(accountKey);
      },
    };
  }

  /** The key for a typed identifier in canonical form: an email, `username:<name>`, or the trimmed text. */
  keyFor(identifierCanonical: string): string {
    return this.deps.limits.accountKey(`identifier:${identifierCanonical}`);
  }

  /** Counts one attempt now if the key may try; otherwise how long it must wait. */
  async reserve(key: string): Promise<LimitDecision> {
    if (await this.deps.store.loginThrottles.reserve(key, this.deps.clock.nowMs(), this.rule)) {
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, await this.waitSeconds(key)) };
  }

  /** This key's slow-down as one step of an attempt's reservation (flows/attempts.ts). */
  step(key: string): AttemptStep {
    return { take: () => this.reserve(key), giveBack: () => this.release(key) };
  }

  /** Gives a reserved attempt back: its password was right, or it was never verified. */
  release(key: string): Promise<void> {
    return this.deps.store.loginThrottles.release(key);
  }

  clear(key: string): Promise<void> {
    return this.deps.store.loginThrottles.clear(key);
  }

  /**
   * Clears the slow-down and the per-account limit of every identifier the account can sign in
   * with (after a completed reset), so the owner gets in by email and by username alike.
   */
  async clearForUser(userId: string): Promise<void> {
    const { store, limits } = this.deps;
    const user = await store.users.findById(userId);
    if (!user) return;
    const identifiers = [user.email_canonical, ...(user.username_canonical ? [`username:${user.username_canonical}`] : [])];
    for (const identifier of identifiers) {
      await this.clear(this.keyFor(identifier));
      await limits.loginPerAccount.reset(limits.accountKey(identifier));
    }
  }

  /** Seconds to wait before this key may try again; 0 when it may try now. */
  private async waitSeconds(key: string): Promise<number> {
    const state = await this.deps.store.loginThrottles.find(key);
    const nowMs = this.deps.clock.nowMs();
    if (!state || nowMs - state.lastFailedAtMs > WINDOW_MS) return 0;
    const remainingMs = state.lastFailedAtMs + delayMsAfter(state.failures, this.rule) - nowMs;
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }
}
