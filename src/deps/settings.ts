import type { Config } from '../config/config.ts';
import type { OneTimeCodes } from '../flows/codes/one-time-codes.ts';
import { MfaEnrolService } from '../flows/mfa/enrol-service.ts';
import { ReauthService } from '../flows/reauth/service.ts';
import { EmailChangeService } from '../flows/settings/email-change.ts';
import { PasswordChangeService } from '../flows/settings/password-change.ts';

type PasswordChangeDeps = ConstructorParameters<typeof PasswordChangeService>[0];
type EmailChangeDeps = ConstructorParameters<typeof EmailChangeService>[0];
type MfaEnrolDeps = ConstructorParameters<typeof MfaEnrolService>[0];

/**
 * What a signed-in user changes on the account pages: password, email address (with its undo
 * link), second factors, and the "confirm it is you" step they sit behind. Each of them checks the
 * current password through the one function the email change owns.
 */
export function createSettingsDeps(
  o: PasswordChangeDeps &
    Omit<EmailChangeDeps, 'confirmTtlSeconds' | 'undoTtlSeconds'> & {
      account: Config['account'];
      mfa: MfaEnrolDeps['mfa'] & { codes: OneTimeCodes };
      passkeysEnabled: boolean;
    },
) {
  const { store, outbox, sessions, clock, limits } = o;
  const passwordChange = new PasswordChangeService({
    store,
    outbox,
    hasher: o.hasher,
    sessions,
    throttle: o.throttle,
    clock,
    limits,
    passwordPolicy: o.passwordPolicy,
    breachedPasswords: o.breachedPasswords,
  });
  const emailChange = new EmailChangeService({
    store,
    outbox,
    hasher: o.hasher,
    links: o.links,
    sessions,
    throttle: o.throttle,
    recovery: o.recovery,
    rememberedDevices: o.rememberedDevices,
    clock,
    limits,
    confirmTtlSeconds: o.account.emailChangeTokenTtlSeconds,
    undoTtlSeconds: o.account.emailChangeUndoTtlSeconds,
  });
  const checkPassword = emailChange.reauthenticate.bind(emailChange);
  const mfaEnrol = new MfaEnrolService({ store, outbox, mfa: o.mfa, sessions, reauthenticate: checkPassword, clock, limits });
  const reauth = new ReauthService({
    store,
    outbox,
    codes: o.mfa.codes,
    sessions,
    clock,
    limits,
    checkPassword,
    passkeysEnabled: o.passkeysEnabled,
  });
  return { passwordChange, emailChange, mfaEnrol, reauth };
}
