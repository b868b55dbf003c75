import type { Keyring } from '../crypto/keyring.ts';
import { SecretBox } from '../crypto/secret-box.ts';
import type { TokenDigester } from '../crypto/tokens.ts';
import { OneTimeCodes } from '../flows/codes/one-time-codes.ts';
import type { SessionService } from '../flows/login/session-service.ts';
import { SecondFactors } from '../flows/mfa/factors.ts';
import { RecoveryCodes } from '../flows/mfa/recovery-codes.ts';
import { TotpAuthenticator } from '../flows/mfa/totp.ts';
import type { Clock } from '../kernel/clock.ts';
import type { RandomSource } from '../kernel/random.ts';
import type { Store } from '../store/store.ts';

export interface MfaDeps {
  codes: OneTimeCodes;
  totp: TotpAuthenticator;
  recoveryCodes: RecoveryCodes;
  factors: SecondFactors;
}

/** The name authenticator apps show next to the account (the otpauth issuer). */
export const PRODUCT_NAME = 'Latchkey';

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
}): MfaDeps {
  const codes = new OneTimeCodes({ digester: o.digester, random: o.random, clock: o.clock });
  const totp = new TotpAuthenticator({ box: new SecretBox(o.keyring), random: o.random, clock: o.clock, issuer: PRODUCT_NAME });
  const recoveryCodes = new RecoveryCodes({ digester: o.digester, random: o.random, clock: o.clock });
  const factors = new SecondFactors({ store: o.store, clock: o.clock, totp, recoveryCodes, smsAvailable: o.smsAvailable });
  o.sessions.onEndAll((tx, userId) => factors.forgetAll(tx, userId));
  return { codes, totp, recoveryCodes, factors };
}
