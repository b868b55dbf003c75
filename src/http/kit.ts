import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import type { RequestContext } from '../flows/context.ts';
import { ERROR_CODES, type ErrorCode } from '../kernel/errors.ts';
import type { ActiveSession } from '../store/sessions-repository.ts';
import type { Html } from '../views/html.ts';
import type { CookiePolicy } from './cookies.ts';
import type { CsrfGuard } from './csrf.ts';

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
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null };
}

export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(page.value);
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** The JSON error shape every API error uses. */
export function sendApiError(reply: FastifyReply, code: ErrorCode, message?: string, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
  return reply.status(statusOf(code)).send({ error: { code, message: message ?? ERROR_CODES[code].message } });
}

export function setSessionCookie(kit: HttpKit, reply: FastifyReply, token: string): void {
  reply.setCookie(kit.cookies.session, token, kit.cookies.sessionOptions(kit.deps.config.sessionTtlSeconds));
}

export function clearSessionCookie(kit: HttpKit, reply: FastifyReply): void {
  reply.clearCookie(kit.cookies.session, kit.cookies.sessionOptions());
}
