import type { ErrorCode } from '../../kernel/errors.ts';

/** A JSON Schema fragment for the document (success bodies are described loosely). */
export type JsonSchema = Record<string, unknown>;

/**
 * Who may call an endpoint: `session` needs the session cookie (else 401 NOT_AUTHENTICATED),
 * `pending` the pending-login cookie of a sign-in waiting for its second step, `optional` takes
 * the session cookie when there is one, `public` needs no cookie.
 */
export type Caller = 'session' | 'pending' | 'optional' | 'public';

/** What the document says about one JSON API endpoint besides what its route schema gives. */
export interface ApiOperation {
  summary: string;
  tag: string;
  caller: Caller;
  /** The answer when the call succeeds. */
  success: { status: number; description: string; body?: JsonSchema; contentType?: string };
  /** Other answers that are not errors (a redirect of forward auth). */
  others?: Record<number, string>;
  /**
   * The codes this endpoint answers with on its own. The ones every request of its kind can get
   * (a malformed body, an origin not allowed, a missing session, an outage) are added from the
   * route by the document builder (document.ts, `automaticErrors`).
   */
  errors: readonly ErrorCode[];
  description?: string;
  /** The body may be left out (the route takes a missing body as `{}`). */
  bodyOptional?: true;
}

/** Operations keyed by "METHOD /api/path", the path as the route declares it (`/api/passkeys/:id`). */
export type OperationTable = Readonly<Record<string, ApiOperation>>;

// --- Small schema helpers for success bodies ------------------------------------------------

export const str = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
export const int = (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) });
export const bool = (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** An object whose listed properties are all present (loosely: further properties may appear). */
export function obj(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  const required = Object.keys(properties).filter((name) => !optional.includes(name));
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

export const MESSAGE = obj({ message: str('A sentence to show the user.') });

/** The password policy's codes (PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, the common and breached lists). */
export const PASSWORD_PROBLEMS = [
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'PASSWORD_TOO_COMMON',
  'PASSWORD_BREACHED',
  'PASSWORD_CONTAINS_EMAIL',
  'PASSWORD_INVALID_CHARACTERS',
] as const satisfies readonly ErrorCode[];

/** The codes of an emailed link's token. */
export const TOKEN_PROBLEMS = ['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_USED', 'TOKEN_REVOKED'] as const satisfies readonly ErrorCode[];

/** Changes that need a recent authentication, or the password in the body. */
export const RECENT_AUTH_PROBLEMS = [
  'REAUTH_REQUIRED',
  'CURRENT_PASSWORD_INCORRECT',
  'RATE_LIMITED',
  'OVERLOADED',
] as const satisfies readonly ErrorCode[];
