import { MESSAGE, type OperationTable, obj, PASSWORD_PROBLEMS, ref, str, TOKEN_PROBLEMS } from './operation.ts';

const SIGN_IN = 'Sign-in';
const SECOND_STEP = 'Second step';
const REGISTRATION = 'Registration';
const RECOVERY = 'Password recovery';

const SIGNED_IN = obj({ user: ref('User') });
const SIGNED_IN_OR_SECOND_STEP = { oneOf: [SIGNED_IN, ref('SecondFactorRequired')] };

/** Registration, sign-in (password, mailed link or code, second step) and password recovery. */
export const SIGN_IN_OPERATIONS: OperationTable = {
  'POST /api/register': {
    summary: 'Create an account',
    tag: REGISTRATION,
    caller: 'public',
    success: {
      status: 202,
      description:
        'The same answer for new and existing addresses: a new one gets an account and a welcome mail, an existing one a mail saying it has an account. Never a session.',
      body: MESSAGE,
    },
    errors: [
      'EMAIL_INVALID',
      'NAME_INVALID',
      ...PASSWORD_PROBLEMS,
      'USERNAME_INVALID',
      'USERNAME_REQUIRED',
      'USERNAME_NOT_ALLOWED',
      'RATE_LIMITED',
      'OVERLOADED',
    ],
  },
  'POST /api/confirm': {
    summary: 'Confirm an email address with the mailed token',
    tag: REGISTRATION,
    caller: 'public',
    success: { status: 200, description: 'The address is confirmed; every session of the account ended.', body: MESSAGE },
    errors: [...TOKEN_PROBLEMS, 'RATE_LIMITED'],
  },
  'POST /api/confirm/resend': {
    summary: 'Send the confirmation link again',
    tag: REGISTRATION,
    caller: 'public',
    success: { status: 202, description: 'The same answer for every well-formed address.', body: MESSAGE },
    errors: ['EMAIL_INVALID'],
  },
  'POST /api/login': {
    summary: 'Sign in with a password',
    tag: SIGN_IN,
    caller: 'optional',
    description:
      'Send `email` or `username` (with USERNAMES on), not both. An account with a second factor gets `secondFactorRequired` and a 5-minute pending-login cookie instead of a session.',
    success: {
      status: 200,
      description: 'Signed in (the session cookie and a device cookie are set), or the second step is needed.',
      body: SIGNED_IN_OR_SECOND_STEP,
    },
    errors: ['INVALID_CREDENTIALS', 'EMAIL_NOT_CONFIRMED', 'RATE_LIMITED', 'OVERLOADED'],
  },
  'POST /api/logout': {
    summary: 'Sign out',
    tag: SIGN_IN,
    caller: 'optional',
    success: { status: 204, description: 'The session is deleted and its cookie cleared.' },
    errors: [],
  },
  'GET /api/session': {
    summary: 'The signed-in user',
    tag: SIGN_IN,
    caller: 'session',
    success: { status: 200, description: 'The user of the session cookie.', body: SIGNED_IN },
    errors: [],
  },
  'POST /api/login/email': {
    summary: 'Mail a sign-in link and code',
    tag: SIGN_IN,
    caller: 'public',
    description: 'Only with PASSWORDLESS=on. `return_to` is where the mailed link leads after signing in (RETURN_TO_ALLOWED).',
    success: { status: 202, description: 'The same answer for every well-formed address.', body: MESSAGE },
    errors: ['EMAIL_INVALID'],
  },
  'POST /api/login/email/verify': {
    summary: 'Sign in with the mailed token, or the address and the mailed code',
    tag: SIGN_IN,
    caller: 'optional',
    description: 'Send `token`, or `email` and `code`.',
    success: { status: 200, description: 'Signed in, or the second step is needed.', body: SIGNED_IN_OR_SECOND_STEP },
    errors: [...TOKEN_PROBLEMS, 'CODE_INVALID', 'EMAIL_INVALID', 'RATE_LIMITED'],
  },
  'POST /api/login/second-factor': {
    summary: 'Finish signing in with a code',
    tag: SECOND_STEP,
    caller: 'pending',
    description: '`method` is `totp`, `recovery_code`, `email_code` or `sms_code`; VALIDATION_FAILED for one the account cannot use.',
    success: { status: 200, description: 'Signed in: the session cookie is set, the pending-login cookie cleared.', body: SIGNED_IN },
    errors: ['CODE_INVALID', 'SECOND_FACTOR_EXPIRED', 'RATE_LIMITED'],
  },
  'POST /api/login/second-factor/send': {
    summary: 'Send a sign-in code by mail or text message',
    tag: SECOND_STEP,
    caller: 'pending',
    success: {
      status: 200,
      description: 'A single-use code was sent (valid CODE_TTL).',
      body: obj({ message: str(), expiresInSeconds: { type: 'integer' } }),
    },
    errors: ['SECOND_FACTOR_EXPIRED', 'RATE_LIMITED'],
  },
  'POST /api/password/forgot': {
    summary: 'Ask for a password reset link or code',
    tag: RECOVERY,
    caller: 'public',
    description: '`method` is `link`, `code` or `sms`, among those RECOVERY_METHODS lists.',
    success: { status: 202, description: 'The same answer for every well-formed address and method.', body: MESSAGE },
    errors: ['EMAIL_INVALID', 'RECOVERY_METHOD_NOT_ALLOWED'],
  },
  'POST /api/password/reset': {
    summary: 'Choose a new password with the mailed token, or the address and the code',
    tag: RECOVERY,
    caller: 'optional',
    description: 'Send `token` and `password`, or `email`, `code` and `password`.',
    success: {
      status: 200,
      description: 'The password is changed and every session ended; with AUTO_LOGIN_AFTER_RESET also `user` and the session cookie.',
      body: obj({ message: str(), user: ref('User') }, ['user']),
    },
    errors: [
      ...TOKEN_PROBLEMS,
      'CODE_INVALID',
      'EMAIL_INVALID',
      'RECOVERY_METHOD_NOT_ALLOWED',
      ...PASSWORD_PROBLEMS,
      'PASSWORD_SAME_AS_CURRENT',
      'RATE_LIMITED',
      'OVERLOADED',
    ],
  },
  'POST /api/username/forgot': {
    summary: 'Mail the username of an account',
    tag: RECOVERY,
    caller: 'public',
    description: 'Only when USERNAMES is not off.',
    success: { status: 202, description: 'The same answer for every well-formed address.', body: MESSAGE },
    errors: ['EMAIL_INVALID'],
  },
};
