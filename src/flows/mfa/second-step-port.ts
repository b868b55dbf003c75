import type { Result } from '../../kernel/result.ts';
import type { Store } from '../../store/store.ts';
import type { UserRecord } from '../../store/users-repository.ts';
import type { RequestContext } from '../context.ts';
import type { SignedIn } from '../login/service.ts';
import type { SecondStepMethod } from './factors.ts';

// What the sign-in flows (password, mailed link or code, passkey) need of the second step and
// what it answers: the pending sign-in, the finished one, the problems, the amr it records.
// The service is SecondStepService in second-step.ts.

/** How long a password check waits for its second factor. */
export const PENDING_LOGIN_SECONDS = 300;
/** Wrong codes one pending sign-in survives (S4, S27): then the password must be given again. */
export const MAX_SECOND_FACTOR_FAILURES = 5;
export const LOGIN_CODE_DIGITS = 6;

/**
 * What proved the first factor of a pending sign-in: 'pwd' (a password) or 'email' (an emailed
 * sign-in link or code: the inbox, flows/passwordless). It leads the session's amr.
 */
export type FirstFactor = 'pwd' | 'email';

/**
 * The factors a session signed in with a second step records (OIDC amr, RFC 8176): the first
 * factor ('pwd', or 'email' for an emailed link or code), then 'otp' for every code
 * (authenticator, mailed, texted, recovery code alike) or 'hwk' and 'user' for a user-verifying
 * passkey. A remembered browser skips the step and records the first factor only: the device is
 * not a factor proven at that sign-in.
 */
export function secondStepAmr(firstFactor: string, method: SecondStepMethod): string[] {
  const first = firstFactor === 'email' ? 'email' : 'pwd';
  return [first, ...(method === 'passkey' ? ['hwk', 'user'] : ['otp'])];
}

/** A sign-in that passed the password and now waits for a second factor. */
export interface PendingSecondStep {
  kind: 'second-factor';
  /** For the pending-login cookie (only its keyed digest is stored). */
  pendingToken: string;
  /** The codes, then 'passkey' when the account has one (POST /api/login answers these). */
  methods: SecondStepMethod[];
}

/**
 * What LoginService asks once the password is verified: undefined when the user signs in now
 * (no second factor, or a browser they chose to remember), else the pending second step.
 */
export interface SecondStepPort {
  begin(
    user: UserRecord,
    o: { persistent: boolean; rememberedDevice?: string | undefined; context: RequestContext; firstFactor?: FirstFactor },
  ): Promise<PendingSecondStep | undefined>;
}

export const noSecondStep: SecondStepPort = { begin: async () => undefined };

export interface SecondStepDone extends SignedIn {
  /** The sealed "remember this device" cookie value, when asked for. */
  rememberCookie?: string;
}

export type SecondStepProblem = 'CODE_INVALID' | 'SECOND_FACTOR_EXPIRED' | 'RATE_LIMITED' | 'METHOD_UNAVAILABLE';
export type SecondStepResult<T> = Result<T, SecondStepProblem> & { retryAfterSeconds?: number };

/** Texts a code (flows/sms/sender.ts: the body carries the code, the product name and the WebOTP line). */
export interface SmsPort {
  /** `locale`: the recipient account's language (users.locale), the SMS's language. */
  sendCode(tx: Store, message: { userId: string; to: string; code: string; locale: string | null }): Promise<Result<void, string>>;
}
