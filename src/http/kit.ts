import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { RequestContext } from '../flows/context.ts';
import type { NewSessionToken } from '../flows/login/session-service.ts';
import type { ReturnToRule } from '../flows/return-to.ts';
import type { Caller } from '../flows/settings/password-change.ts';
import { ERROR_CODES, type ErrorCode, errorMessage } from '../kernel/errors.ts';
import type { ActiveSession } from '../store/sessions-repository.ts';
import type { Html } from '../views/html.ts';
import { ScriptedPage } from '../views/layout.ts';
import { type TimeFormat, timeFormatFor } from '../views/time.ts';
import type { CookiePolicy } from './cookies.ts';
import type { CsrfGuard } from './csrf.ts';
import { allowOwnScripts } from './security-headers.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session and user, when the session cookie is valid. */
    auth: ActiveSession | undefined;
  }
}

/** What every route plugin gets: the services, the CSRF guard and the cookie policy. */
export interface HttpKit {
  deps: Deps;
  csrf: CsrfGuard;
  cookies: CookiePolicy;
  /** Which `return_to` values a flow may follow when it is done (S11). */
  returnTo: ReturnToRule;
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null };
}

/** Sends a page; one that loads our own scripts gets the CSP that allows them (and only them). */
export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  if (page instanceof ScriptedPage) allowOwnScripts(reply, page.fetches);
  return reply.status(status).type('text/html; charset=utf-8').send(page.value);
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** The JSON error shape every API error uses. */
export function sendApiError(reply: FastifyReply, code: ErrorCode, message?: string, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
  return reply.status(statusOf(code)).send({ error: { code, message: message ?? errorMessage(code) } });
}

/**
 * Sets the session cookie: long-lived with "remember me", a browser-session cookie without. Every
 * new session also gets a new CSRF secret.
 */
export function setSessionCookie(kit: HttpKit, reply: FastifyReply, session: NewSessionToken): void {
  reply.setCookie(kit.cookies.session, session.token, kit.cookies.sessionOptions(session.cookieMaxAgeSeconds));
  kit.csrf.rotate(reply.request, reply);
}

/** The signed-in caller of a request, or undefined. */
export function callerOf(request: FastifyRequest): Caller | undefined {
  const auth = request.auth;
  if (!auth) return undefined;
  return { userId: auth.user.id, sessionId: auth.session.id, persistent: Number(auth.session.persistent) === 1 };
}

/** How the page for this request shows times: in its language (src/http/locale.ts), in UTC, relative to the clock's now. */
export function timeFormatOf(kit: HttpKit, request: FastifyRequest): TimeFormat {
  return timeFormatFor(request.locale, kit.deps.clock.nowMs());
}

/** Clears the session cookie at sign-out, with a new CSRF secret for whoever uses the browser next. */
export function clearSessionCookie(kit: HttpKit, reply: FastifyReply): void {
  reply.clearCookie(kit.cookies.session, kit.cookies.sessionOptions());
  kit.csrf.rotate(reply.request, reply);
}
