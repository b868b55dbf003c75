import type { Clock } from '../../kernel/clock.ts';
import type { RateLimits } from '../../rate-limits/rate-limits.ts';
import type { Store } from '../../store/store.ts';

const WINDOW_MS = 3_600_000;

export interface ThrottleSettings {
  /** Failures before each further attempt must wait (LOGIN_THROTTLE_AFTER). */
  after: number;
  /** The longest wait (LOGIN_THROTTLE_MAX_DELAY): at 60 s an account sees fewer than 100 failures an hour. */
  maxDelaySeconds: number;
}

/**
 * Per-account slow-down after repeated failed sign-ins: after `after` failures, the next attempt
 * must wait 1 s, then 2, 4 ... up to `maxDelaySeconds`. Never a lock: the wait is bounded, a
 * failure-free hour forgets everything, and a completed reset or a successful sign-in clears it.
 * Keys are keyed hashes of the account id, or of the typed identifier when no account matches,
 * so a known and an unknown address are slowed down exactly alike (S7).
 */
export class LoginThrottle {
  constructor(private readonly deps: { store: Store; clock: Clock; limits: RateLimits; settings: ThrottleSettings }) {}

  keyFor(user: { id: string } | undefined, identifierCanonical: string): string {
    return this.deps.limits.accountKey(user ? `user:${user.id}` : `identifier:${identifierCanonical}`);
  }

  /** Seconds to wait before this key may try again; 0 when it may try now. */
  async waitSeconds(key: string): Promise<number> {
    const state = await this.deps.store.loginThrottles.find(key);
    const nowMs = this.deps.clock.nowMs();
    if (!state || state.failures < this.deps.settings.after || nowMs - state.lastFailedAtMs > WINDOW_MS) return 0;
    const delaySeconds = Math.min(2 ** (state.failures - this.deps.settings.after), this.deps.settings.maxDelaySeconds);
    const remainingMs = state.lastFailedAtMs + delaySeconds * 1000 - nowMs;
    return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
  }

  recordFailure(key: string): Promise<void> {
    return this.deps.store.loginThrottles.recordFailure(key, this.deps.clock.nowMs(), WINDOW_MS);
  }

  clear(key: string): Promise<void> {
    return this.deps.store.loginThrottles.clear(key);
  }

  clearForUser(userId: string): Promise<void> {
    return this.clear(this.keyFor({ id: userId }, ''));
  }
}
