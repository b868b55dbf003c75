/**
 * Whether the Latchkey session in the browser may finish an authorization request's login
 * prompt (single sign-on), or the user must sign in first. No Fastify, no oidc-provider: values in,
 * a value out.
 */

export interface BrowserSession {
  sessionId: string;
  userId: string;
  /** When the password was last given in this session (the OIDC auth_time), in ms. */
  authenticatedAtMs: number;
}

/** Set on the first visit of an interaction that demands a fresh sign-in (prompt=login). */
export interface FreshSignInMarker {
  startedAtMs: number;
  /** The session the browser had then: it does not count as the fresh sign-in. */
  staleSessionId: string | null;
}

export interface LoginPromptInput {
  /** oidc-provider's reasons for the login prompt: `login_prompt` for prompt=login, `max_age`, ... */
  reasons: readonly string[];
  maxAgeSeconds: number | undefined;
  session: BrowserSession | undefined;
  marker: FreshSignInMarker | undefined;
  nowMs: number;
}

export type LoginPromptDecision =
  | { kind: 'finish'; session: BrowserSession }
  /** Send the browser to the login page; `marker` is to be saved first when set. */
  | { kind: 'sign-in'; marker?: FreshSignInMarker };

export function decideLoginPrompt(input: LoginPromptInput): LoginPromptDecision {
  const { session, nowMs } = input;
  const freshRequired = input.reasons.includes('login_prompt');
  if (freshRequired && !input.marker) {
    return { kind: 'sign-in', marker: { startedAtMs: nowMs, staleSessionId: session?.sessionId ?? null } };
  }
  if (!session) return { kind: 'sign-in' };
  const marker = input.marker;
  if (freshRequired && marker && (session.sessionId === marker.staleSessionId || session.authenticatedAtMs < marker.startedAtMs)) {
    return { kind: 'sign-in' };
  }
  if (input.maxAgeSeconds !== undefined && nowMs - session.authenticatedAtMs > input.maxAgeSeconds * 1000) {
    return { kind: 'sign-in' };
  }
  return { kind: 'finish', session };
}
