/**
 * Expected failures are values, not exceptions. A failure may say when trying again can help
 * (`retryAfterSeconds`, from the limiter that refused), which becomes the `Retry-After` header.
 */
export type Result<T, C extends string = string> = { ok: true; value: T } | { ok: false; code: C; retryAfterSeconds?: number };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <C extends string>(code: C): { ok: false; code: C } => ({ ok: false, code });
