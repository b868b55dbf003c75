import type { RateLimits as RateLimitSettings } from '../config/config.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { type Limit, memoryLimit } from './limiter.ts';

/** Every limit of S19, by name. Account keys are keyed hashes of the canonical email. */
export interface RateLimits {
  forgotPerIp: Limit;
  forgotPerEmail: Limit;
  loginPerIp: Limit;
  loginPerAccount: Limit;
  registerPerIp: Limit;
  tokenPerIp: Limit;
  /** Key for per-account limits: no address is kept in the limiter store in the clear. */
  accountKey(emailCanonical: string): string;
}

export function createRateLimits(
  settings: RateLimitSettings,
  keyring: Keyring,
  makeLimit: (name: string, setting: RateLimitSettings[keyof RateLimitSettings]) => Limit = memoryLimit,
): RateLimits {
  return {
    forgotPerIp: makeLimit('forgot-ip', settings.forgotPerIp),
    forgotPerEmail: makeLimit('forgot-email', settings.forgotPerEmail),
    loginPerIp: makeLimit('login-ip', settings.loginPerIp),
    loginPerAccount: makeLimit('login-account', settings.loginPerAccount),
    registerPerIp: makeLimit('register-ip', settings.registerPerIp),
    tokenPerIp: makeLimit('token-ip', settings.tokenPerIp),
    accountKey: (emailCanonical) => keyring.hmac('rate-limit-key', emailCanonical).slice(0, 32),
  };
}
