/**
 * The one list of error codes. Each has its HTTP status and the message users see.
 * The README documents every code (a test checks it). Route handlers never invent codes.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  DUPLICATE_FIELD: { status: 400, message: 'A form field was sent more than once.' },
  EMAIL_INVALID: { status: 400, message: 'Enter a valid email address, like name@example.com.' },
  NAME_INVALID: { status: 400, message: 'The name must be at most 100 printable characters.' },
  PASSWORD_MISMATCH: { status: 400, message: 'The two passwords do not match.' },
  PASSWORD_TOO_SHORT: { status: 400, message: 'The password is too short.' },
  PASSWORD_TOO_LONG: { status: 400, message: 'The password is too long.' },
  PASSWORD_TOO_COMMON: {
    status: 400,
    message: 'This password is one of the most commonly used passwords. Choose another.',
  },
  PASSWORD_BREACHED: {
    status: 400,
    message: 'This password appeared in a data breach, so attackers try it. Choose another.',
  },
  PASSWORD_CONTAINS_EMAIL: {
    status: 400,
    message: 'The password must not be your email address or contain its name part.',
  },
  PASSWORD_SAME_AS_CURRENT: {
    status: 400,
    message: 'The new password must be different from your current password.',
  },
  PASSWORD_INVALID_CHARACTERS: {
    status: 400,
    message: 'The password contains control characters. Use printable characters only.',
  },
  TOKEN_INVALID: {
    status: 400,
    message: 'This link is not valid. Check that you copied the whole link, or request a new one.',
  },
  TOKEN_EXPIRED: { status: 400, message: 'This link has expired. Request a new one.' },
  TOKEN_USED: {
    status: 400,
    message: 'This link has already been used. Request a new one if you still need it.',
  },
  TOKEN_REVOKED: {
    status: 400,
    message: 'This link is no longer valid because the account changed since it was sent. Request a new one.',
  },
  INVALID_CREDENTIALS: { status: 401, message: 'The email address or password is incorrect.' },
  EMAIL_NOT_CONFIRMED: {
    status: 403,
    message: 'Confirm your email address before signing in: follow the link we sent you, or ask for a new one.',
  },
  SECOND_FACTOR_REQUIRED: { status: 401, message: 'Sign in with your password and your second factor.' },
  CURRENT_PASSWORD_INCORRECT: { status: 400, message: 'Your current password is not correct.' },
  REAUTH_REQUIRED: { status: 403, message: 'For your security, enter your password again to continue.' },
  EMAIL_SAME_AS_CURRENT: { status: 400, message: 'This is already the email address of your account.' },
  EMAIL_TAKEN: {
    status: 409,
    message: 'Another account uses this address now, so your email address was not changed.',
  },
  CODE_INVALID: { status: 400, message: 'The code is not correct. Check it and try again.' },
  RECOVERY_METHOD_NOT_ALLOWED: {
    status: 400,
    message: 'This way of resetting a password is not offered here. Choose another one.',
  },
  SECOND_FACTOR_EXPIRED: {
    status: 400,
    message: 'This sign-in has expired or had too many wrong codes. Enter your password again.',
  },
  TOTP_ALREADY_ENABLED: {
    status: 409,
    message: 'An authenticator app is already set up. Turn two-step sign-in off first to set up another one.',
  },
  TOTP_NOT_ENABLED: { status: 409, message: 'Two-step sign-in is not turned on for this account.' },
  TOTP_SETUP_NOT_STARTED: { status: 409, message: 'Start setting up the authenticator app first.' },
  PASSKEY_INVALID: {
    status: 400,
    message: 'This passkey could not be verified. Try again, or sign in another way.',
  },
  PASSKEY_ALREADY_REGISTERED: { status: 409, message: 'This passkey is already registered with an account.' },
  PASSKEY_LIMIT_REACHED: { status: 409, message: 'You have as many passkeys as an account may have. Remove one first.' },
  PASSKEY_NOT_FOUND: { status: 404, message: 'There is no such passkey among yours. It may have been removed already.' },
  SESSION_NOT_FOUND: { status: 404, message: 'There is no such session among yours. It may have ended already.' },
  USERNAME_INVALID: {
    status: 400,
    message: 'A username is 3 to 32 letters or digits; dots, dashes and underscores may be used inside it.',
  },
  USERNAME_REQUIRED: { status: 400, message: 'Choose a username.' },
  USERNAME_NOT_ALLOWED: { status: 400, message: 'This service does not use usernames.' },
  PHONE_INVALID: { status: 400, message: 'Enter a valid phone number with its country code, like +33 6 12 34 56 78.' },
  PHONE_NOT_MOBILE: { status: 400, message: 'This number cannot receive text messages. Enter a mobile number.' },
  PHONE_COUNTRY_NOT_ALLOWED: { status: 400, message: 'Text messages cannot be sent to numbers of this country.' },
  SMS_UNAVAILABLE: { status: 404, message: 'This service does not send text messages.' },
  USER_NOT_FOUND: { status: 404, message: 'No account uses this address.' },
  ACCOUNT_DISABLED: { status: 409, message: 'This account is disabled. Enable it first.' },
  OIDC_REQUEST_EXPIRED: {
    status: 400,
    message: 'This sign-in request has expired or is not valid. Go back to the application and sign in again.',
  },
  NOT_AUTHENTICATED: { status: 401, message: 'You are not signed in.' },
  CSRF_FAILED: {
    status: 403,
    message: 'The form expired or did not come from this site. Reload the page and try again.',
  },
  ORIGIN_NOT_ALLOWED: { status: 403, message: 'Requests from this origin are not allowed.' },
  NOT_FOUND: { status: 404, message: 'There is nothing at this address.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Send the body as application/json (API) or application/x-www-form-urlencoded (forms).',
  },
  RATE_LIMITED: { status: 429, message: 'Too many attempts. Wait a little and try again.' },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side. Try again later.' },
  OVERLOADED: { status: 503, message: 'The service is busy. Try again in a moment.' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The service cannot reach its database right now. Try again in a moment.',
  },
  DATABASE_NOT_WRITABLE: {
    status: 503,
    message: 'The service cannot save changes right now. Try again in a moment.',
  },
  SCHEMA_OUTDATED: {
    status: 503,
    message: 'The database schema is behind this version of the service. An operator must run `latchkey migrate`.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Thrown from route code to answer with one of the listed codes. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail ?? ERROR_CODES[code].message);
    this.name = 'AppError';
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function errorBody(code: ErrorCode, detail?: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message: detail ?? ERROR_CODES[code].message } };
}
