import type { EnvReader } from './parse.ts';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

export type ConfirmEmailMode = 'required' | 'optional' | 'off';
export type UsernameMode = 'off' | 'optional' | 'required';

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
  readonly usernames: UsernameMode;
  /** Failed sign-ins with one identifier (email or username) before each further attempt must wait. */
  readonly loginThrottleAfter: number;
  /** The longest wait between attempts; at 60 s or more an account sees fewer than 100 failures an hour. */
  readonly loginThrottleMaxDelaySeconds: number;
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
    usernames: read.oneOf('USERNAMES', 'off', ['off', 'optional', 'required'] as const),
    loginThrottleAfter: read.integer('LOGIN_THROTTLE_AFTER', 10, 1, 20, ' failed attempts'),
    loginThrottleMaxDelaySeconds: read.integer('LOGIN_THROTTLE_MAX_DELAY', 60, 60, HOUR, ' seconds'),
  };
}
