import { t } from '../i18n/index.ts';
/**
 * The one list of error codes, each with its HTTP status. The message users see is in the
 * catalogues (`error.<CODE>` in src/i18n/messages/<locale>/errors.json), in their language: see
 * errorMessage. The README documents every code (a test checks it). Route handlers never invent codes.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400 },
  INVALID_JSON: { status: 400 },
  DUPLICATE_FIELD: { status: 400 },
  EMAIL_INVALID: { status: 400 },
  NAME_INVALID: { status: 400 },
  PASSWORD_MISMATCH: { status: 400 },
  PASSWORD_TOO_SHORT: { status: 400 },
  PASSWORD_TOO_LONG: { status: 400 },
  PASSWORD_TOO_COMMON: { status: 400 },
  PASSWORD_BREACHED: { status: 400 },
  PASSWORD_CONTAINS_EMAIL: { status: 400 },
  PASSWORD_SAME_AS_CURRENT: { status: 400 },
  PASSWORD_INVALID_CHARACTERS: { status: 400 },
  TOKEN_INVALID: { status: 400 },
  TOKEN_EXPIRED: { status: 400 },
  TOKEN_USED: { status: 400 },
  TOKEN_REVOKED: { status: 400 },
  INVALID_CREDENTIALS: { status: 401 },
  EMAIL_NOT_CONFIRMED: { status: 403 },
  SECOND_FACTOR_REQUIRED: { status: 401 },
  CURRENT_PASSWORD_INCORRECT: { status: 400 },
  REAUTH_REQUIRED: { status: 403 },
  EMAIL_SAME_AS_CURRENT: { status: 400 },
  EMAIL_TAKEN: { status: 409 },
  CODE_INVALID: { status: 400 },
  RECOVERY_METHOD_NOT_ALLOWED: { status: 400 },
  SECOND_FACTOR_EXPIRED: { status: 400 },
  TOTP_ALREADY_ENABLED: { status: 409 },
  TOTP_NOT_ENABLED: { status: 409 },
  TOTP_SETUP_NOT_STARTED: { status: 409 },
  PASSKEY_INVALID: { status: 400 },
  PASSKEY_ALREADY_REGISTERED: { status: 409 },
  PASSKEY_LIMIT_REACHED: { status: 409 },
  PASSKEY_NOT_FOUND: { status: 404 },
  SESSION_NOT_FOUND: { status: 404 },
  USERNAME_INVALID: { status: 400 },
  USERNAME_REQUIRED: { status: 400 },
  USERNAME_NOT_ALLOWED: { status: 400 },
  PHONE_INVALID: { status: 400 },
  PHONE_NOT_MOBILE: { status: 400 },
  PHONE_COUNTRY_NOT_ALLOWED: { status: 400 },
  SMS_UNAVAILABLE: { status: 404 },
  USER_NOT_FOUND: { status: 404 },
  ACCOUNT_DISABLED: { status: 409 },
  OIDC_REQUEST_EXPIRED: { status: 400 },
  NOT_AUTHENTICATED: { status: 401 },
  CSRF_FAILED: { status: 403 },
  ORIGIN_NOT_ALLOWED: { status: 403 },
  NOT_FOUND: { status: 404 },
  METHOD_NOT_ALLOWED: { status: 405 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  RATE_LIMITED: { status: 429 },
  INTERNAL_ERROR: { status: 500 },
  OVERLOADED: { status: 503 },
  DATABASE_UNAVAILABLE: { status: 503 },
  DATABASE_NOT_WRITABLE: { status: 503 },
  SCHEMA_OUTDATED: { status: 503 },
} as const satisfies Record<string, { status: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Thrown from route code to answer with one of the listed codes. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail ?? errorMessage(code));
    this.name = 'AppError';
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function errorBody(code: ErrorCode, detail?: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message: detail ?? errorMessage(code) } };
}

/** The message of an error code in the current language (catalogue `error.<CODE>`, src/i18n). */
export function errorMessage(code: ErrorCode): string {
  return t(`error.${code}`);
}
