import type { RateLimits as RateLimitSettings } from '../config/config.ts';
import type { RateLimitSetting } from '../config/parse.ts';
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
  /** Releases the store's connections (Redis); nothing to do for memory. */
  close(): Promise<void>;
}

/** Where limits count: this process's memory, or a store shared by every node (Redis). */
export interface LimitBackend {
  make(name: string, setting: RateLimitSetting): Limit;
  close(): Promise<void>;
}

export const memoryBackend: LimitBackend = { make: memoryLimit, close: async () => {} };

export function createRateLimits(settings: RateLimitSettings, keyring: Keyring, backend: LimitBackend = memoryBackend): RateLimits {
  return {
    forgotPerIp: backend.make('forgot-ip', settings.forgotPerIp),
    forgotPerEmail: backend.make('forgot-email', settings.forgotPerEmail),
    loginPerIp: backend.make('login-ip', settings.loginPerIp),
    loginPerAccount: backend.make('login-account', settings.loginPerAccount),
    registerPerIp: backend.make('register-ip', settings.registerPerIp),
    tokenPerIp: backend.make('token-ip', settings.tokenPerIp),
    accountKey: (emailCanonical) => keyring.hmac('rate-limit-key', emailCanonical).slice(0, 32),
    close: () => backend.close(),
  };
}
