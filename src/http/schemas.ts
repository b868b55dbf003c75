import { type TProperties, Type } from '@sinclair/typebox';

/**
 * Body schemas are strict (S20): exact types (no coercion, a string is never an array or
 * object), no unknown fields, bounded lengths. Semantic checks (email syntax, password policy)
 * happen in the flow and answer with their own codes.
 */
export function strictObject<T extends TProperties>(properties: T) {
  return Type.Object(properties, { additionalProperties: false });
}

export const Email = Type.String({ minLength: 1, maxLength: 320 });
/** Long enough for any policy maximum; the policy answers PASSWORD_TOO_LONG with a clear message. */
export const Password = Type.String({ minLength: 1, maxLength: 4096 });
export const Token = Type.String({ minLength: 1, maxLength: 256 });
export const Csrf = Type.String({ minLength: 1, maxLength: 128 });
export const Name = Type.String({ maxLength: 200 });
/** Shape only; the flow checks the characters (USERNAME_INVALID) and the USERNAMES setting. */
export const Username = Type.String({ maxLength: 64 });
