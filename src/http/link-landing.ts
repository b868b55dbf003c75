import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../flows/context.ts';
import { ERROR_CODES, type ErrorCode } from '../kernel/errors.ts';
import type { Result } from '../kernel/result.ts';
import { type Html, html } from '../views/html.ts';
import { csrfField, layout, notice } from '../views/layout.ts';
import { type HttpKit, requestContext, sendPage } from './kit.ts';
import { Csrf, strictObject } from './schemas.ts';

const LINK_COOKIE_MAX_AGE_SECONDS = 15 * 60;

export interface LinkLanding<T> {
  /** Page path, e.g. "/confirm-email"; the mailed link is `${path}/<token>`. */
  path: string;
  cookie: string;
  title: string;
  intro: string;
  button: string;
  /** Where to ask for a new link when this one cannot be used. */
  retry: { href: string; label: string };
  check(token: string, context: RequestContext): Promise<Result<unknown, ErrorCode>>;
  redeem(token: string, context: RequestContext): Promise<Result<T, ErrorCode>>;
  done(request: FastifyRequest, reply: FastifyReply, value: T): Promise<FastifyReply> | FastifyReply;
}

/**
 * The three steps of every emailed link but the reset one (which has its own form):
 * `GET path/<token>` changes nothing (mail scanners open links), checks the token, moves it into
 * a short-lived HttpOnly cookie scoped to `path` and redirects to `path` (S10); `GET path` shows a
 * button; `POST path` (CSRF-checked like every form) redeems the token.
 */
export function registerLinkLanding<T>(app: FastifyInstance, kit: HttpKit, landing: LinkLanding<T>): void {
  const cookieOptions = (maxAge: number) => kit.cookies.linkOptions(landing.path, maxAge);

  const problem = (reply: FastifyReply, code: ErrorCode) => {
    reply.clearCookie(landing.cookie, cookieOptions(0));
    if (code === 'RATE_LIMITED') reply.header('retry-after', '60');
    return sendPage(reply, linkProblemPage(ERROR_CODES[code].message, landing.retry), ERROR_CODES[code].status);
  };

  app.get(
    `${landing.path}/:token`,
    { schema: { params: strictObject({ token: Type.String({ maxLength: 256 }) }) } },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const check = await landing.check(token, requestContext(request));
      if (!check.ok) return problem(reply, check.code);
      reply.setCookie(landing.cookie, token, cookieOptions(LINK_COOKIE_MAX_AGE_SECONDS));
      return reply.redirect(landing.path, 303);
    },
  );

  app.get(landing.path, async (request, reply) => {
    const token = request.cookies[landing.cookie];
    if (!token) return problem(reply, 'TOKEN_INVALID');
    const check = await landing.check(token, requestContext(request));
    if (!check.ok) return problem(reply, check.code);
    const page = layout(
      { title: landing.title },
      html`<p>${landing.intro}</p>
<form method="post" action="${landing.path}">${csrfField(kit.csrf.tokenFor(request, reply))}<button type="submit">${landing.button}</button></form>`,
    );
    return sendPage(reply, page);
  });

  app.post(landing.path, { schema: { body: strictObject({ _csrf: Csrf }) } }, async (request, reply) => {
    const token = request.cookies[landing.cookie];
    if (!token) return problem(reply, 'TOKEN_INVALID');
    const result = await landing.redeem(token, requestContext(request));
    if (!result.ok) return problem(reply, result.code);
    reply.clearCookie(landing.cookie, cookieOptions(0));
    return landing.done(request, reply, result.value);
  });
}

export function linkProblemPage(message: string, retry: { href: string; label: string }): Html {
  return layout(
    { title: 'This link cannot be used' },
    html`${notice('error', message)}<p class="actions"><a href="${retry.href}">${retry.label}</a></p>`,
  );
}
