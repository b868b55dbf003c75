import type { Outbox } from '../courier/outbox.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { SecretBox } from '../crypto/secret-box.ts';
import type { TokenDigester } from '../crypto/tokens.ts';
import { OneTimeCodes } from '../flows/codes/one-time-codes.ts';
import type { SessionService } from '../flows/login/session-service.ts';
import { SecondFactors } from '../flows/mfa/factors.ts';
import { RecoveryCodes } from '../flows/mfa/recovery-codes.ts';
import { RememberedDeviceTokens } from '../flows/mfa/remember-device.ts';
import { SecondStepService } from '../flows/mfa/second-step.ts';
import type { SmsPort } from '../flows/mfa/second-step-port.ts';
import { TotpAuthenticator } from '../flows/mfa/totp.ts';
import type { Clock } from '../kernel/clock.ts';
import type { RandomSource } from '../kernel/random.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';
import type { Store } from '../store/store.ts';

export interface MfaDeps {
  codes: OneTimeCodes;
  totp: TotpAuthenticator;
  recoveryCodes: RecoveryCodes;
  factors: SecondFactors;
  /** The second step of sign-in: pending sign-ins, codes entered and sent, remembered browsers. */
  secondStep: SecondStepService;
}

/**
 * Second factors and one-time codes. Whenever every session of a user ends (reset, password
 * change, "sign out everywhere", undone email change, admin action), their remembered devices are
 * forgotten and their pending second steps end with them, in the same transaction.
 */
export function createMfaDeps(o: {
  store: Store;
  keyring: Keyring;
  digester: TokenDigester;
  random: RandomSource;
  clock: Clock;
  sessions: SessionService;
  smsAvailable: () => boolean;
  /** PASSKEYS=on: a passkey is offered as a second step too. */
  passkeysEnabled?: boolean;
  /** CODE_TTL: the lifetime of every one-time code. */
  codeTtlSeconds: number;
  /** Texts codes (the second step's sms_code). */
  sms?: SmsPort;
  outbox: Outbox;
  limits: RateLimits;
  /** BRAND_NAME: the name authenticator apps show next to the account (the otpauth issuer). */
  issuer: string;
}): MfaDeps {
  const codes = new OneTimeCodes({ digester: o.digester, random: o.random, clock: o.clock, ttlSeconds: o.codeTtlSeconds });
  const totp = new TotpAuthenticator({ box: new SecretBox(o.keyring), random: o.random, clock: o.clock, issuer: o.issuer });
  const recoveryCodes = new RecoveryCodes({ digester: o.digester, random: o.random, clock: o.clock });
  const factors = new SecondFactors({
    store: o.store,
    clock: o.clock,
    totp,
    recoveryCodes,
    smsAvailable: o.smsAvailable,
    passkeysEnabled: o.passkeysEnabled,
  });
  o.sessions.onEndAll((tx, userId) => factors.forgetAll(tx, userId));
  const box = new SecretBox(o.keyring);
  const remembered = new RememberedDeviceTokens({ box, digester: o.digester, random: o.random, clock: o.clock });
  const secondStep = new SecondStepService({
    store: o.store,
    factors,
    totp,
    recoveryCodes,
    codes,
    remembered,
    sessions: o.sessions,
    outbox: o.outbox,
    limits: o.limits,
    digester: o.digester,
    random: o.random,
    clock: o.clock,
    sms: o.sms,
  });
  return { codes, totp, recoveryCodes, factors, secondStep };
}
