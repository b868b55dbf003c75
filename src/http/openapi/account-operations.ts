import type { ErrorCode } from '../../kernel/errors.ts';
import {
  arrayOf,
  bool,
  int,
  MESSAGE,
  type OperationTable,
  obj,
  PASSWORD_PROBLEMS,
  RECENT_AUTH_PROBLEMS,
  str,
  TOKEN_PROBLEMS,
} from './operation.ts';

const ACCOUNT = 'Account';
const SESSIONS = 'Sessions';
const REAUTH = 'Re-authentication';
const TWO_STEP = 'Two-step settings';
const PHONE = 'Phone';

const NULLABLE_STRING = { type: ['string', 'null'] };
const NULLABLE_INT = { type: ['integer', 'null'] };
const RECOVERY_CODES = obj({ recoveryCodes: arrayOf(str('A single-use recovery code, shown only in this answer.')) });
const PHONE_NUMBER = obj({ number: str('E.164'), verifiedAtMs: int() });
/** The /api/mfa changes: a recent authentication or `password` in the body. */
const MFA_CHANGE: readonly ErrorCode[] = RECENT_AUTH_PROBLEMS;

/** The signed-in account: overview, password and email change, sessions, re-authentication, two-step settings, phone. */
export const ACCOUNT_OPERATIONS: OperationTable = {
  'GET /api/account': {
    summary: 'The signed-in account',
    tag: ACCOUNT,
    caller: 'session',
    success: {
      status: 200,
      description: 'What the account page shows.',
      body: obj({
        account: obj({
          id: str(),
          email: str(),
          name: NULLABLE_STRING,
          username: NULLABLE_STRING,
          emailConfirmed: bool(),
          createdAtMs: int(),
          lastLoginAtMs: NULLABLE_INT,
          loginCount: int(),
          activeSessions: int(),
          phone: NULLABLE_STRING,
        }),
      }),
    },
    errors: [],
  },
  'GET /api/account/activity': {
    summary: "The account's recent security events",
    tag: ACCOUNT,
    caller: 'session',
    success: {
      status: 200,
      description: 'The last 20 events, newest first; never another account’s.',
      body: obj({ events: arrayOf(obj({ type: str(), label: str(), time: str('ISO 8601'), ip: NULLABLE_STRING, browser: str() })) }),
    },
    errors: [],
  },
  'POST /api/password/change': {
    summary: 'Change the password, or set the first one',
    tag: ACCOUNT,
    caller: 'session',
    description:
      'With a password: `current_password` and `new_password`. Without one: `new_password` after a recent authentication (REAUTH_REQUIRED otherwise).',
    success: { status: 200, description: 'Changed; a rotated session cookie, every other session ended.', body: MESSAGE },
    errors: [...RECENT_AUTH_PROBLEMS, ...PASSWORD_PROBLEMS, 'PASSWORD_SAME_AS_CURRENT'],
  },
  'POST /api/email/change': {
    summary: 'Change the email address',
    tag: ACCOUNT,
    caller: 'session',
    description: 'Needs `password` or a recent authentication. The address changes when the link mailed to it is followed.',
    success: { status: 202, description: 'A confirmation link was mailed to the new address.', body: MESSAGE },
    errors: [...RECENT_AUTH_PROBLEMS, 'EMAIL_INVALID', 'EMAIL_SAME_AS_CURRENT'],
  },
  'POST /api/email/change/confirm': {
    summary: 'Confirm the new address with the token mailed to it',
    tag: ACCOUNT,
    caller: 'public',
    success: { status: 200, description: 'The address is changed.', body: obj({ message: str(), email: str() }) },
    errors: [...TOKEN_PROBLEMS, 'EMAIL_TAKEN', 'RATE_LIMITED'],
  },
  'POST /api/email/change/undo': {
    summary: 'Undo an email change with the token mailed to the old address',
    tag: ACCOUNT,
    caller: 'public',
    success: {
      status: 200,
      description: 'The old address is back and every session ended; `locked` when the password was turned off too.',
      body: obj({ message: str(), locked: bool() }),
    },
    errors: [...TOKEN_PROBLEMS, 'RATE_LIMITED'],
  },
  'GET /api/sessions': {
    summary: "The account's sessions",
    tag: SESSIONS,
    caller: 'session',
    success: {
      status: 200,
      description: 'Every live session, the current one marked.',
      body: obj({
        sessions: arrayOf(
          obj({
            id: str(),
            browser: str(),
            ip: NULLABLE_STRING,
            createdAtMs: int(),
            lastSeenAtMs: int(),
            remembered: bool(),
            current: bool(),
          }),
        ),
      }),
    },
    errors: [],
  },
  'DELETE /api/sessions/:id': {
    summary: 'Sign out one session',
    tag: SESSIONS,
    caller: 'session',
    success: { status: 204, description: 'The session ended.' },
    errors: ['SESSION_NOT_FOUND'],
  },
  'POST /api/sessions/revoke-others': {
    summary: 'Sign out every other session',
    tag: SESSIONS,
    caller: 'session',
    success: { status: 200, description: 'How many sessions ended.', body: obj({ sessionsEnded: int() }) },
    errors: [],
  },
  'POST /api/reauthenticate': {
    summary: 'Confirm it is you, with the password or a mailed code',
    tag: REAUTH,
    caller: 'session',
    description: 'Send `password` or `code` (from POST /api/reauthenticate/code), not both.',
    success: { status: 204, description: 'The session counts as recently authenticated (RECENT_AUTH_TTL).' },
    errors: ['CURRENT_PASSWORD_INCORRECT', 'CODE_INVALID', 'RATE_LIMITED', 'OVERLOADED'],
  },
  'POST /api/reauthenticate/code': {
    bodyOptional: true,
    summary: 'Mail a code to confirm it is you',
    tag: REAUTH,
    caller: 'session',
    success: {
      status: 202,
      description: 'A single-use code was mailed to the account’s address.',
      body: obj({ message: str(), expiresInSeconds: int() }),
    },
    errors: ['RATE_LIMITED'],
  },
  'GET /api/mfa': {
    summary: 'Two-step sign-in status',
    tag: TWO_STEP,
    caller: 'session',
    success: {
      status: 200,
      description: 'Whether an authenticator app is on, the recovery codes left, the ways the second step can be passed.',
      body: obj({ totp: bool(), recoveryCodesLeft: int(), methods: arrayOf(str()) }),
    },
    errors: [],
  },
  'POST /api/mfa/totp/setup': {
    bodyOptional: true,
    summary: 'Start setting up an authenticator app',
    tag: TWO_STEP,
    caller: 'session',
    success: {
      status: 200,
      description: 'A new secret; nothing is on until confirmed.',
      body: obj({ secret: str('Base32'), otpauthUrl: str('otpauth://totp/...') }),
    },
    errors: [...MFA_CHANGE, 'TOTP_ALREADY_ENABLED'],
  },
  'POST /api/mfa/totp/confirm': {
    summary: 'Turn two-step sign-in on with a code from the app',
    tag: TWO_STEP,
    caller: 'session',
    success: { status: 200, description: 'On; ten recovery codes.', body: RECOVERY_CODES },
    errors: [...MFA_CHANGE, 'CODE_INVALID', 'TOTP_SETUP_NOT_STARTED', 'TOTP_ALREADY_ENABLED'],
  },
  'POST /api/mfa/recovery-codes': {
    bodyOptional: true,
    summary: 'Replace the recovery codes',
    tag: TWO_STEP,
    caller: 'session',
    success: { status: 200, description: 'Ten new codes; the old ones stop working.', body: RECOVERY_CODES },
    errors: [...MFA_CHANGE, 'TOTP_NOT_ENABLED'],
  },
  'DELETE /api/mfa/totp': {
    summary: 'Turn two-step sign-in off',
    tag: TWO_STEP,
    caller: 'session',
    success: { status: 204, description: 'The authenticator, the recovery codes and remembered browsers are removed.' },
    errors: [...MFA_CHANGE, 'CODE_INVALID', 'TOTP_NOT_ENABLED'],
  },
  'GET /api/phone': {
    summary: "The account's phone number",
    tag: PHONE,
    caller: 'session',
    success: {
      status: 200,
      description: 'The verified number or null, and whether text messages can be sent.',
      body: obj({ phone: { oneOf: [PHONE_NUMBER, { type: 'null' }] }, smsAvailable: bool() }),
    },
    errors: [],
  },
  'POST /api/phone': {
    summary: 'Add a phone number (a code is sent to it)',
    tag: PHONE,
    caller: 'session',
    success: { status: 202, description: 'A code was sent by SMS.', body: obj({ message: str(), phone: str('E.164') }) },
    errors: [...RECENT_AUTH_PROBLEMS, 'PHONE_INVALID', 'PHONE_NOT_MOBILE', 'PHONE_COUNTRY_NOT_ALLOWED', 'SMS_UNAVAILABLE'],
  },
  'POST /api/phone/verify': {
    summary: 'Verify the phone number with the code',
    tag: PHONE,
    caller: 'session',
    success: { status: 200, description: 'The number is verified.', body: obj({ phone: PHONE_NUMBER }) },
    errors: ['CODE_INVALID', 'SMS_UNAVAILABLE'],
  },
  'DELETE /api/phone': {
    summary: 'Remove the phone number',
    tag: PHONE,
    caller: 'session',
    success: { status: 204, description: 'Removed.' },
    errors: ['REAUTH_REQUIRED', 'RATE_LIMITED'],
  },
};
