import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitSetting } from '../config/parse.ts';

export interface LimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * One named limit (points per window) over a rate-limiter-flexible store: memory by default,
 * Redis when several nodes must share counts. Taking a point is atomic on both stores, so N
 * parallel requests never get more than the points left. `keyOf` turns the caller's key into the
 * stored one (per-IP limits count an IPv6 client by its subnet).
 */
export class Limit {
  constructor(
    readonly name: string,
    private readonly limiter: RateLimiterAbstract,
    private readonly keyOf: (key: string) => string = (key) => key,
  ) {}

  /** The same limit, counting every key under `keyOf(key)`. */
  keyedBy(keyOf: (key: string) => string): Limit {
    return new Limit(this.name, this.limiter, keyOf);
  }

  /** Takes one point; refused once the window's points are spent. */
  async consume(key: string): Promise<LimitDecision> {
    try {
      await this.limiter.consume(this.keyOf(key), 1);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
      throw rejection;
    }
  }

  /** Whether a point could be taken now, without taking one. */
  async check(key: string): Promise<LimitDecision> {
    const res = await this.limiter.get(this.keyOf(key));
    if (res && res.consumedPoints >= this.limiter.points) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    }
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /** This limit for one key as a step of an attempt's reservation; `countsAlways`: never given back. */
  step(key: string, options: { countsAlways?: boolean } = {}): { take(): Promise<LimitDecision>; giveBack(): Promise<void> } {
    return { take: () => this.consume(key), giveBack: options.countsAlways ? async () => {} : () => this.giveBack(key) };
  }

  /** Gives back a point taken by `consume` for an attempt that did not happen or does not count. */
  async giveBack(key: string): Promise<void> {
    await this.limiter.reward(this.keyOf(key), 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(this.keyOf(key));
  }
}

export function memoryLimit(name: string, setting: RateLimitSetting): Limit {
  return new Limit(name, new RateLimiterMemory({ keyPrefix: name, points: setting.points, duration: setting.durationSeconds }));
}
