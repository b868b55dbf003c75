import type { EnvReader } from './parse.ts';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

export type ConfirmEmailMode = 'required' | 'optional' | 'off';
export type UsernameMode = 'off' | 'optional' | 'required';

/** The ways a forgotten password can be recovered: an emailed link, a code by mail, a code by SMS. */
export const RECOVERY_METHOD_NAMES = ['link', 'code', 'sms'] as const;
export type RecoveryMethodName = (typeof RECOVERY_METHOD_NAMES)[number];

/** Account lifecycle settings (issue 3): confirmation, email change, sessions, reset options, throttling. */
export interface AccountSettings {
  /** `required`: no sign-in before the address is confirmed; `optional`: a link is sent, sign-in works; `off`: no link. */
  readonly confirmEmail: ConfirmEmailMode;
  readonly confirmTokenTtlSeconds: number;
  readonly emailChangeTokenTtlSeconds: number;
  /** How long the "it was not me" link sent to the old address stays valid. */
  readonly emailChangeUndoTtlSeconds: number;
  /** Password re-entered within this many seconds counts as recent (email change). */
  readonly recentAuthSeconds: number;
  /** Server-side lifetime of a session without "remember me" (its cookie ends with the browser). */
  readonly browserSessionTtlSeconds: number;
  /** A session unused for this long ends, remembered or not. */
  readonly sessionIdleTimeoutSeconds: number;
  readonly autoLoginAfterReset: boolean;
  /** RECOVERY_METHODS: how "forgot password" may send its proof; the first is the API's default when `link` is not listed. */
  readonly recoveryMethods: readonly RecoveryMethodName[];
  readonly usernames: UsernameMode;
  /** Failed sign-ins with one identifier (email or username) before each further attempt must wait. */
  readonly loginThrottleAfter: number;
  /** The longest wait between attempts; at 60 s or more an account sees fewer than 100 failures an hour. */
  readonly loginThrottleMaxDelaySeconds: number;
  /** PASSWORDLESS: sign-in by an emailed link or code (unified sign-in), on by default. */
  readonly passwordless: 'on' | 'off';
  /** PASSWORD_OPTIONAL: registration may create an account without a password (email or passkey sign-in only). */
  readonly passwordOptional: boolean;
  /** PASSKEYS: WebAuthn passkeys as first and second factor, on by default. */
  readonly passkeys: 'on' | 'off';
}

export function readAccountSettings(read: EnvReader): AccountSettings {
  return {
    confirmEmail: read.oneOf('CONFIRM_EMAIL', 'required', ['required', 'optional', 'off'] as const),
    confirmTokenTtlSeconds: read.integer('CONFIRM_TOKEN_TTL', 2 * DAY, 5 * MINUTE, 30 * DAY, ' seconds'),
    emailChangeTokenTtlSeconds: read.integer('EMAIL_CHANGE_TOKEN_TTL', 2 * HOUR, 5 * MINUTE, 7 * DAY, ' seconds'),
    emailChangeUndoTtlSeconds: read.integer('EMAIL_CHANGE_UNDO_TTL', 7 * DAY, HOUR, 90 * DAY, ' seconds'),
    recentAuthSeconds: read.integer('RECENT_AUTH_TTL', 10 * MINUTE, MINUTE, DAY, ' seconds'),
    browserSessionTtlSeconds: read.integer('SESSION_BROWSER_TTL', 12 * HOUR, 5 * MINUTE, 30 * DAY, ' seconds'),
    sessionIdleTimeoutSeconds: read.integer('SESSION_IDLE_TIMEOUT', 7 * DAY, 5 * MINUTE, 365 * DAY, ' seconds'),
    autoLoginAfterReset: read.boolean('AUTO_LOGIN_AFTER_RESET', false),
    recoveryMethods: readRecoveryMethods(read),
    usernames: read.oneOf('USERNAMES', 'off', ['off', 'optional', 'required'] as const),
    loginThrottleAfter: read.integer('LOGIN_THROTTLE_AFTER', 10, 1, 20, ' failed attempts'),
    loginThrottleMaxDelaySeconds: read.integer('LOGIN_THROTTLE_MAX_DELAY', 60, 60, HOUR, ' seconds'),
    passwordless: read.oneOf('PASSWORDLESS', 'on', ['on', 'off'] as const),
    passwordOptional: read.boolean('PASSWORD_OPTIONAL', false),
    passkeys: read.oneOf('PASSKEYS', 'on', ['on', 'off'] as const),
  };
}

/** RECOVERY_METHODS: a comma-separated, non-empty list among link, code and sms (default `link,code`). */
function readRecoveryMethods(read: EnvReader): readonly RecoveryMethodName[] {
  const value = read.raw('RECOVERY_METHODS');
  if (value === undefined) return ['link', 'code'];
  const names = value.split(',').map((name) => name.trim().toLowerCase());
  const known = (name: string): name is RecoveryMethodName => (RECOVERY_METHOD_NAMES as readonly string[]).includes(name);
  if (names.length === 0 || !names.every(known)) {
    read.problems.push(
      `RECOVERY_METHODS must be a comma-separated list of ${RECOVERY_METHOD_NAMES.join(', ')} (at least one), got "${value}"`,
    );
    return ['link', 'code'];
  }
  return [...new Set(names)];
}
