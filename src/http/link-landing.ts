import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../flows/context.ts';
import { withReturnTo } from '../flows/return-to.ts';
import { t } from '../i18n/index.ts';
import { ERROR_CODES, type ErrorCode, errorMessage } from '../kernel/errors.ts';
import type { Result } from '../kernel/result.ts';
import { type Html, html } from '../views/html.ts';
import { csrfField, layout, notice } from '../views/layout.ts';
import { type HttpKit, requestContext, sendPage } from './kit.ts';
import { returnToOf } from './return-to.ts';
import { Csrf, strictObject } from './schemas.ts';

const LINK_COOKIE_MAX_AGE_SECONDS = 15 * 60;

/** Page text: a function giving it in the request's language (called per request). */
export type PageText = () => string;

export interface LinkLanding<T, C = unknown> {
  /** Page path, e.g. "/confirm-email"; the mailed link is `${path}/<token>`. */
  path: string;
  cookie: string;
  title: PageText;
  intro: PageText;
  button: PageText;
  /** Where to ask for a new link when this one cannot be used. */
  retry: { href: string; label: PageText };
  check(token: string, context: RequestContext): Promise<Result<C, ErrorCode>>;
  /** Which address the link is about, said above the button (from what check found). */
  about?(checked: C): Promise<Html | undefined>;
  redeem(token: string, context: RequestContext): Promise<Result<T, ErrorCode>>;
  /** returnTo: the page's `return_to`, already checked by the S11 rule (kept from the mailed link). */
  done(request: FastifyRequest, reply: FastifyReply, value: T, returnTo: string | undefined): Promise<FastifyReply> | FastifyReply;
}

/**
 * The three steps of every emailed link but the reset one (which has its own form):
 * `GET path/<token>` changes nothing (mail scanners open links), checks the token, moves it into
 * a short-lived HttpOnly cookie scoped to `path` and redirects to `path` (S10); `GET path` shows a
 * button; `POST path` (CSRF-checked like every form) redeems the token. A `return_to` on the
 * mailed link is carried through the three steps and handed to `done`.
 */
export function registerLinkLanding<T, C = unknown>(app: FastifyInstance, kit: HttpKit, landing: LinkLanding<T, C>): void {
  const cookieOptions = (maxAge: number) => kit.cookies.linkOptions(landing.path, maxAge);

  const problem = (reply: FastifyReply, code: ErrorCode, retryAfterSeconds?: number) => {
    reply.clearCookie(landing.cookie, cookieOptions(0));
    if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
    const retry = { href: landing.retry.href, label: landing.retry.label() };
    return sendPage(reply, linkProblemPage(errorMessage(code), retry), ERROR_CODES[code].status);
  };

  app.get(
    `${landing.path}/:token`,
    { schema: { params: strictObject({ token: Type.String({ maxLength: 256 }) }) } },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const check = await landing.check(token, requestContext(request));
      if (!check.ok) return problem(reply, check.code, check.retryAfterSeconds);
      reply.setCookie(landing.cookie, token, cookieOptions(LINK_COOKIE_MAX_AGE_SECONDS));
      return reply.redirect(withReturnTo(landing.path, returnToOf(kit, request)), 303);
    },
  );

  app.get(landing.path, async (request, reply) => {
    const token = request.cookies[landing.cookie];
    if (!token) return problem(reply, 'TOKEN_INVALID');
    const check = await landing.check(token, requestContext(request));
    if (!check.ok) return problem(reply, check.code, check.retryAfterSeconds);
    const about = await landing.about?.(check.value);
    const page = layout(
      { title: landing.title() },
      html`${about ? html`<p>${about}</p>` : ''}<p>${landing.intro()}</p>
<form method="post" action="${withReturnTo(landing.path, returnToOf(kit, request))}">${csrfField(kit.csrf.tokenFor(request, reply))}<button type="submit">${landing.button()}</button></form>`,
    );
    return sendPage(reply, page);
  });

  app.post(landing.path, { schema: { body: strictObject({ _csrf: Csrf }) } }, async (request, reply) => {
    const token = request.cookies[landing.cookie];
    if (!token) return problem(reply, 'TOKEN_INVALID');
    const result = await landing.redeem(token, requestContext(request));
    if (!result.ok) return problem(reply, result.code, result.retryAfterSeconds);
    reply.clearCookie(landing.cookie, cookieOptions(0));
    return landing.done(request, reply, result.value, returnToOf(kit, request));
  });
}

export function linkProblemPage(message: string, retry: { href: string; label: string }): Html {
  return layout(
    { title: t('confirmation.linkProblem.title') },
    html`${notice('error', message)}<p class="actions"><a href="${retry.href}">${retry.label}</a></p>`,
  );
}
