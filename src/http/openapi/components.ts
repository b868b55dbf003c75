import { ERROR_CODES } from '../../kernel/errors.ts';
import type { CookiePolicy } from '../cookies.ts';
import { arrayOf, bool, type JsonSchema, obj, str } from './operation.ts';

const NULLABLE_STRING = { type: ['string', 'null'] };

/** The shared schemas: `Error` is what errorBody() (src/kernel/errors.ts) sends for every error. */
export const SCHEMAS: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    description: 'Every error answer of the JSON API. `code` is stable; `message` is for people and may change.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', enum: Object.keys(ERROR_CODES) },
          message: { type: 'string' },
        },
      },
    },
  },
  User: obj({ id: str(), email: str(), name: NULLABLE_STRING, username: NULLABLE_STRING }),
  SecondFactorRequired: {
    ...obj({
      secondFactorRequired: { type: 'boolean', const: true },
      methods: arrayOf({ type: 'string', enum: ['totp', 'recovery_code', 'email_code', 'sms_code', 'passkey'] }),
    }),
    description: 'No session yet: a 5-minute pending-login cookie; finish with POST /api/login/second-factor (or its passkey endpoints).',
  },
  Passkey: obj({ id: str(), name: str(), createdAt: str('ISO 8601'), lastUsedAt: NULLABLE_STRING, synced: bool() }),
};

/** The cookies a caller presents, as security schemes (names as this deployment sets them). */
export function securitySchemes(cookies: CookiePolicy, pendingCookie: string): Record<string, JsonSchema> {
  return {
    session: {
      type: 'apiKey',
      in: 'cookie',
      name: cookies.session,
      description:
        'The session cookie (HttpOnly), set by a successful sign-in. A request carrying it that is not GET or HEAD must send an `Origin` header naming an allowed origin (the origin of PUBLIC_URL or one of ALLOWED_ORIGINS), else 403 ORIGIN_NOT_ALLOWED: with `Content-Type: application/json` required for bodies, that stands in for a CSRF token.',
    },
    pendingLogin: {
      type: 'apiKey',
      in: 'cookie',
      name: pendingCookie,
      description: 'The 5-minute cookie of a sign-in that waits for its second step, set with `secondFactorRequired: true`.',
    },
  };
}

/** The document's introduction. */
export function introduction(publicUrl: string): string {
  return [
    `The JSON API of this Latchkey service. Paths are relative to the server URL (${publicUrl}): with a PUBLIC_URL that has a path, every endpoint lives under it.`,
    '',
    '- Bodies are JSON (`Content-Type: application/json`, at most 64 KiB), validated strictly: exact types, no unknown fields, bounded lengths (400 VALIDATION_FAILED names the field).',
    '- Authentication is by cookie (see the security schemes); a browser sends them with `credentials: "include"`. Calls that change something and carry the session cookie must come from an allowed `Origin`.',
    '- Every error is `{"error": {"code": "…", "message": "…"}}` (the `Error` schema); each response lists its codes in `x-error-codes` and as examples. 429 and 503 answers carry `Retry-After`.',
    '- Some endpoints exist only with their setting on (PASSWORDLESS, PASSKEYS, USERNAMES, CONFIRM_EMAIL): this document lists those this service serves.',
  ].join('\n');
}
