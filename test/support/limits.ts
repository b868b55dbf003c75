import type { RateLimits as RateLimitSettings } from '../../src/config/config.ts';

const GENEROUS = { points: 1000, durationSeconds: 3600 };

/** Every rate limit set far above what a unit test reaches, but those it names. */
export function generousLimitSettings(overrides: Partial<RateLimitSettings> = {}): RateLimitSettings {
  return {
    forgotPerIp: GENEROUS,
    forgotPerEmail: GENEROUS,
    loginPerIp: GENEROUS,
    loginPerAccount: GENEROUS,
    loginPerDevice: GENEROUS,
    registerPerIp: GENEROUS,
    tokenPerIp: GENEROUS,
    reauthPerSession: GENEROUS,
    reauthPerAccount: GENEROUS,
    secondFactorPerAccount: GENEROUS,
    smsPerNumber: GENEROUS,
    smsPerAccount: GENEROUS,
    ...overrides,
  };
}
