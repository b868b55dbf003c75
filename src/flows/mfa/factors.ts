import type { Clock } from '../../kernel/clock.ts';
import type { Store } from '../../store/store.ts';
import type { RememberedDevices } from '../login/remembered-devices.ts';
import type { SecondFactorGate } from '../login/second-factor.ts';
import type { RecoveryCodes } from './recovery-codes.ts';
import type { TotpAuthenticator } from './totp.ts';

/** The codes a second step can be passed with (typed into the code form or `POST /api/login/second-factor`). */
export const SECOND_FACTOR_METHODS = ['totp', 'recovery_code', 'email_code', 'sms_code'] as const;
export type SecondFactorMethod = (typeof SECOND_FACTOR_METHODS)[number];
/** Every way a second step can be passed: the codes, and a passkey (its own routes, flows/passkeys). */
export type SecondStepMethod = SecondFactorMethod | 'passkey';

/** Whether a method is one of the codes (not a passkey). */
export function isCodeMethod(method: SecondStepMethod): method is SecondFactorMethod {
  return method !== 'passkey';
}

/**
 * Who has a second factor and which methods they may use. An account has a second factor once
 * an authenticator app is confirmed; it may then also pass the second step with a recovery code
 * (while any is left), a code mailed to its address, or a code sent by SMS to its verified phone
 * (when an SMS provider is configured), or one of its passkeys (when PASSKEYS is on and it has
 * one; a passkey also signs in alone, flows/passkeys). Implements the login's SecondFactorGate (S17: no reset,
 * link or admin action signs such a user in without it) and the RememberedDevices port.
 */
export class SecondFactors implements SecondFactorGate, RememberedDevices {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      totp: TotpAuthenticator;
      recoveryCodes: RecoveryCodes;
      /** Whether SMS can be sent at all (SMS_URL, or the dev SMS box outside production). */
      smsAvailable: () => boolean;
      /** PASSKEYS=on: a passkey of the account is offered as a second step too. */
      passkeysEnabled?: boolean;
    },
  ) {}

  requiredFor(userId: string): Promise<boolean> {
    return this.deps.totp.isEnabled(this.deps.store, userId);
  }

  /** The methods this user can pass the second step with now; empty when they have no second factor. */
  async methodsFor(userId: string, store: Store = this.deps.store): Promise<SecondStepMethod[]> {
    if (!(await this.deps.totp.isEnabled(store, userId))) return [];
    const methods: SecondStepMethod[] = ['totp'];
    if ((await this.deps.recoveryCodes.remaining(store, userId)) > 0) methods.push('recovery_code');
    methods.push('email_code');
    const user = await store.users.findById(userId);
    if (user?.phone && user.phone_verified_at !== null && this.deps.smsAvailable()) methods.push('sms_code');
    if (this.deps.passkeysEnabled && (await store.passkeys.countForUser(userId)) > 0) methods.push('passkey');
    return methods;
  }

  /**
   * Removes every second factor of a user (turning 2FA off, `latchkey users mfa-reset`), in `tx`.
   * Passkeys stay: each is a first factor of its own (it signs in alone), removed only by its owner.
   */
  async removeAll(tx: Store, userId: string): Promise<void> {
    await tx.mfa.deleteTotp(userId);
    await tx.mfa.deleteRecoveryCodes(userId);
    await this.forgetAll(tx, userId);
  }

  /** Forgets every remembered browser and ends every pending second step of the user. */
  async forgetAll(tx: Store, userId: string): Promise<void> {
    await tx.pendingLogins.forgetDevices(userId);
    await tx.pendingLogins.endAllForUser(userId, this.deps.clock.nowMs());
  }
}
