import type { Clock } from '../../kernel/clock.ts';
import type { LimitDecision } from '../../rate-limits/limiter.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import { delayMsAfter, type ThrottleRule } from '../../store/login-throttles-repository.ts';
import type { Store } from '../../store/store.ts';
import type { AttemptStep } from '../attempts.ts';

const WINDOW_MS = 3_600_000;

export interface ThrottleSettings {
  /** Failures before each further attempt must wait (LOGIN_THROTTLE_AFTER). */
  after: number;
  /** The longest wait (LOGIN_THROTTLE_MAX_DELAY): at 60 s an account sees fewer than 100 failures an hour. */
  maxDelaySeconds: number;
}

/**
 * Slow-down after repeated failed password attempts: after `after` failures, the next attempt
 * must wait 1 s, then 2, 4 ... up to `maxDelaySeconds`. Never a lock: the wait is bounded, a
 * failure-free hour forgets everything, and a completed reset or a successful sign-in clears it.
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

  constructor(private readonly deps: { store: Store; clock: Clock; limits: RateLimits; settings: ThrottleSettings }) {
    this.rule = { ...deps.settings, windowMs: WINDOW_MS };
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
