import type { RateLimits as RateLimitSettings } from '../config/config.ts';
import type { RateLimitSetting } from '../config/parse.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { DEFAULT_IPV6_SUBNET_PREFIX, ipLimitKey } from './ip-key.ts';
import { type Limit, memoryLimit } from './limiter.ts';

/**
 * Every limit of S19, by name. Account keys are keyed hashes of the canonical email. Per-IP
 * limits are given the client's address as it is and count it by `ipLimitKey` (an IPv6 client
 * by its subnet), here, in the one place every per-IP limit is made.
 */
export interface RateLimits {
  forgotPerIp: Limit;
  forgotPerEmail: Limit;
  loginPerIp: Limit;
  /** Sign-ins from clients without a device cookie of the account, per identifier typed. */
  loginPerAccount: Limit;
  /** Sign-ins per device cookie (keyed by a keyed hash of its nonce): a known browser's own budget. */
  loginPerDevice: Limit;
  registerPerIp: Limit;
  tokenPerIp: Limit;
  /** Password verifications of a signed-in session (re-authentication, changes), right or wrong. */
  reauthPerSession: Limit;
  /** The same, summed over every session of one account. */
  reauthPerAccount: Limit;
  /** Second-factor codes entered per account (by user id), over all its pending sign-ins. */
  secondFactorPerAccount: Limit;
  /** Codes sent (mail, SMS) per pending sign-in: one per 30 seconds. */
  secondFactorSendPerPending: Limit;
  /** Key for per-account limits: no address is kept in the limiter store in the clear. */
  accountKey(emailCanonical: string): string;
  /** SMS per phone number (keyed by `phoneKey`), whoever asks: anti SMS-pumping. */
  smsPerNumber: Limit;
  /** SMS per account (keyed by user id), to whatever number. */
  smsPerAccount: Limit;
  /** Key for per-number limits: no phone number is kept in the limiter store in the clear. */
  phoneKey(e164: string): string;
  /** Releases the store's connections (Redis); nothing to do for memory. */
  close(): Promise<void>;
}

/** Where limits count: this process's memory, or a store shared by every node (Redis). */
export interface LimitBackend {
  make(name: string, setting: RateLimitSetting): Limit;
  close(): Promise<void>;
}

/** A code is sent at most once per 30 seconds for one pending sign-in (fixed, not a setting). */
const SECOND_FACTOR_SEND_EVERY: RateLimitSetting = { points: 1, durationSeconds: 30 };

export const memoryBackend: LimitBackend = { make: memoryLimit, close: async () => {} };

export interface RateLimitOptions {
  /** IPV6_SUBNET_PREFIX: how many leading bits of an IPv6 address name one client (default 64). */
  ipv6SubnetPrefix?: number;
}

export function createRateLimits(
  settings: RateLimitSettings,
  keyring: Keyring,
  backend: LimitBackend = memoryBackend,
  options: RateLimitOptions = {},
): RateLimits {
  const prefix = options.ipv6SubnetPrefix ?? DEFAULT_IPV6_SUBNET_PREFIX;
  const perIp = (name: string, setting: RateLimitSetting) => backend.make(name, setting).keyedBy((ip) => ipLimitKey(ip, prefix));
  return {
    forgotPerIp: perIp('forgot-ip', settings.forgotPerIp),
    forgotPerEmail: backend.make('forgot-email', settings.forgotPerEmail),
    loginPerIp: perIp('login-ip', settings.loginPerIp),
    loginPerAccount: backend.make('login-account', settings.loginPerAccount),
    loginPerDevice: backend.make('login-device', settings.loginPerDevice),
    registerPerIp: perIp('register-ip', settings.registerPerIp),
    tokenPerIp: perIp('token-ip', settings.tokenPerIp),
    reauthPerSession: backend.make('reauth-session', settings.reauthPerSession),
    reauthPerAccount: backend.make('reauth-account', settings.reauthPerAccount),
    // The second step of sign-in (codes entered, codes sent).
    secondFactorPerAccount: backend.make('second-factor-account', settings.secondFactorPerAccount),
    secondFactorSendPerPending: backend.make('second-factor-send', SECOND_FACTOR_SEND_EVERY),
    accountKey: (emailCanonical) => keyring.hmac('rate-limit-key', emailCanonical).slice(0, 32),
    smsPerNumber: backend.make('sms-number', settings.smsPerNumber),
    smsPerAccount: backend.make('sms-account', settings.smsPerAccount),
    phoneKey: (e164) => keyring.hmac('rate-limit-key', `phone:${e164}`).slice(0, 32),
    close: () => backend.close(),
  };
}
