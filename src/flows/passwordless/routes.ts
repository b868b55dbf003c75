import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormPage, formRoute } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendApiError, sendPage, setSessionCookie } from '../../http/kit.ts';
import { linkProblemPage } from '../../http/link-landing.ts';
import { ReturnToQuery, returnToOf } from '../../http/return-to.ts';
import { Csrf, Email, strictObject, Token } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { ERROR_CODES, type ErrorCode, errorMessage } from '../../kernel/errors.ts';
import { issueDeviceCookie } from '../login/device-cookies.ts';
import { needsSecondStep, type SignedIn } from '../login/service.ts';
import { rememberedDeviceOf, sendSecondFactorRequired, setPendingLoginCookie } from '../mfa/second-step-routes.ts';
import { RETURN_TO_MAX_LENGTH, withReturnTo } from '../return-to.ts';
import type { PasswordlessResult } from './service.ts';
import { checkInboxPage, emailSignInPage, signInLinkPage, signInLinkSentMessage } from './views.ts';

/** The link's token between the mailed URL and the button page: HttpOnly, 15 minutes, only sent to /login/link. */
const LINK_COOKIE = 'lk_login_link';
const LINK_PATH = '/login/link';
const LINK_COOKIE_MAX_AGE_SECONDS = 15 * 60;
/** A typed code: its shape is checked by the flow, so a typo costs an attempt like a wrong code. */
const SignInCode = Type.String({ minLength: 1, maxLength: 32 });
const RememberBox = Type.Optional(Type.Literal('on'));
/** A sign-in link is also revoked by a newer mail, by its code's use and by "sign out everywhere": say so. */
const messageOf = (code: ErrorCode): string => (code === 'TOKEN_REVOKED' ? t('passwordless.revoked') : errorMessage(code));

/**
 * Sign-in by a mailed link or code: `POST /api/login/email`, `POST /api/login/email/verify`
 * (`{token}` or `{email, code}`), and the pages `/login/email`, `/login/email/code` and
 * `/login/link/<token>`. With PASSWORDLESS=off none of them exists (404 NOT_FOUND).
 */
export async function passwordlessRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { passwordless, sessions, deviceCookies } = kit.deps;
  if (!passwordless.enabled) return;
  const linkCookieOptions = (maxAge: number) => kit.cookies.linkOptions(LINK_PATH, maxAge);
  const optionsOf = (request: FastifyRequest, remember: boolean) => ({
    persistent: remember,
    rememberedDevice: rememberedDeviceOf(kit, request),
  });

  /** A sign-in that gave a session: the session cookie (a new CSRF secret) and the device cookie, as after a password. */
  async function startSession(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn): Promise<void> {
    await sessions.revoke(request.cookies[kit.cookies.session]);
    setSessionCookie(kit, reply, signedIn.session);
    issueDeviceCookie(reply, kit.cookies, deviceCookies, signedIn.user.id);
  }

  /** Pages: the second step, or the session and on to return_to. */
  async function pageSignedIn(request: FastifyRequest, reply: FastifyReply, value: Extract<PasswordlessResult, { ok: true }>['value']) {
    const returnTo = returnToOf(kit, request);
    if (needsSecondStep(value)) {
      setPendingLoginCookie(kit, reply, value);
      return reply.redirect(withReturnTo('/login/second-factor', returnTo), 303);
    }
    await startSession(request, reply, value);
    return reply.redirect(returnTo ?? '/', 303);
  }

  // --- JSON API -----------------------------------------------------------------------------
  app.post(
    '/api/login/email',
    { schema: { body: strictObject({ email: Email, return_to: Type.Optional(Type.String({ maxLength: RETURN_TO_MAX_LENGTH })) }) } },
    async (request, reply) => {
      const { email, return_to } = request.body as { email: string; return_to?: string };
      const result = await passwordless.requestSignIn(email, requestContext(request), kit.returnTo.check(return_to));
      if (!result.ok) return sendApiError(reply, result.code);
      return reply.status(202).send({ message: signInLinkSentMessage() });
    },
  );

  // One endpoint, two proofs from the same mail: the link's token, or the address with the code.
  app.post(
    '/api/login/email/verify',
    {
      schema: {
        body: strictObject({
          token: Type.Optional(Token),
          email: Type.Optional(Email),
          code: Type.Optional(SignInCode),
          remember: Type.Optional(Type.Boolean()),
        }),
      },
    },
    async (request, reply) => {
      const { token, email, code, remember } = request.body as { token?: string; email?: string; code?: string; remember?: boolean };
      const byLink = token !== undefined && email === undefined && code === undefined;
      const byCode = token === undefined && email !== undefined && code !== undefined;
      if (!byLink && !byCode) return sendApiError(reply, 'VALIDATION_FAILED', t('passwordless.api.tokenOrCode'));
      const options = optionsOf(request, remember === true);
      const result = byLink
        ? await passwordless.signInWithLink(token as string, requestContext(request), options)
        : await passwordless.signInWithCode(email as string, code as string, requestContext(request), options);
      if (!result.ok) return sendApiError(reply, result.code, messageOf(result.code), result.retryAfterSeconds);
      if (needsSecondStep(result.value)) return sendSecondFactorRequired(kit, reply, result.value);
      await startSession(request, reply, result.value);
      return reply.send({ user: result.value.user });
    },
  );

  // --- Pages: asking, and the code ------------------------------------------------------------
  app.get('/login/email', { schema: { querystring: Type.Object(ReturnToQuery) } }, async (request, reply) =>
    sendPage(reply, emailSignInPage({ csrf: kit.csrf.tokenFor(request, reply), returnTo: returnToOf(kit, request) })),
  );

  // Every well-formed address goes on to the same "check your inbox" page (S7).
  const emailForm: FormPage = {
    body: strictObject({ _csrf: Csrf, email: Type.String({ minLength: 1, maxLength: 1024 }) }),
    names: { email: () => t('passwordless.field.email') },
    render: (request, reply, { values, errors }) =>
      emailSignInPage({ csrf: kit.csrf.tokenFor(request, reply), email: values.email, returnTo: returnToOf(kit, request), errors }),
  };
  app.post('/login/email', formRoute(emailForm, Type.Object(ReturnToQuery)), async (request, reply) => {
    const { email } = request.body as { email: string };
    const returnTo = returnToOf(kit, request);
    const result = await passwordless.requestSignIn(email, requestContext(request), returnTo);
    if (!result.ok) {
      const page = emailSignInPage({ csrf: kit.csrf.tokenFor(request, reply), email, returnTo, error: errorMessage(result.code) });
      return sendPage(reply, page, ERROR_CODES[result.code].status);
    }
    return reply.redirect(withReturnTo(`/login/email/code?email=${encodeURIComponent(email.trim())}`, returnTo), 303);
  });

  app.get(
    '/login/email/code',
    { schema: { querystring: Type.Object({ ...ReturnToQuery, email: Type.Optional(Type.String({ maxLength: 320 })) }) } },
    async (request, reply) => {
      const { email } = request.query as { email?: string };
      const page = checkInboxPage({
        csrf: kit.csrf.tokenFor(request, reply),
        email,
        info: email ? signInLinkSentMessage() : undefined,
        returnTo: returnToOf(kit, request),
      });
      return sendPage(reply, page);
    },
  );

  const codeForm: FormPage = {
    body: strictObject({ _csrf: Csrf, email: Type.String({ minLength: 1, maxLength: 1024 }), code: SignInCode, remember: RememberBox }),
    names: {
      email: () => t('passwordless.field.email'),
      code: () => t('passwordless.field.code'),
      remember: () => t('passwordless.field.remember'),
    },
    render: (request, reply, { values, errors }) =>
      checkInboxPage({
        csrf: kit.csrf.tokenFor(request, reply),
        email: values.email,
        remember: values.remember === 'on',
        returnTo: returnToOf(kit, request),
        errors,
      }),
  };
  app.post('/login/email/code', formRoute(codeForm, Type.Object(ReturnToQuery)), async (request, reply) => {
    const { email, code, remember } = request.body as { email: string; code: string; remember?: 'on' };
    const result = await passwordless.signInWithCode(email, code, requestContext(request), optionsOf(request, remember === 'on'));
    if (result.ok) return pageSignedIn(request, reply, result.value);
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    const page = checkInboxPage({
      csrf: kit.csrf.tokenFor(request, reply),
      email,
      remember: remember === 'on',
      returnTo: returnToOf(kit, request),
      error: errorMessage(result.code),
    });
    return sendPage(reply, page, ERROR_CODES[result.code].status);
  });

  // --- Pages: the mailed link -----------------------------------------------------------------
  // Opening it changes nothing (mail scanners open links): the token is checked, moved into a
  // short-lived HttpOnly cookie and the browser sent to a URL without it (S10); the page there
  // has one "Sign in" button whose POST (CSRF-checked) uses the token.
  app.get(
    `${LINK_PATH}/:token`,
    { schema: { params: strictObject({ token: Type.String({ maxLength: 256 }) }), querystring: Type.Object(ReturnToQuery) } },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const check = await passwordless.checkLink(token, requestContext(request));
      if (!check.ok) return linkProblem(request, reply, check.code, check.retryAfterSeconds);
      reply.setCookie(LINK_COOKIE, token, linkCookieOptions(LINK_COOKIE_MAX_AGE_SECONDS));
      return reply.redirect(withReturnTo(LINK_PATH, returnToOf(kit, request)), 303);
    },
  );

  app.get(LINK_PATH, { schema: { querystring: Type.Object(ReturnToQuery) } }, async (request, reply) => {
    const token = request.cookies[LINK_COOKIE];
    if (!token) return linkProblem(request, reply, 'TOKEN_INVALID');
    const check = await passwordless.checkLink(token, requestContext(request));
    if (!check.ok) return linkProblem(request, reply, check.code, check.retryAfterSeconds);
    return sendPage(reply, signInLinkPage({ csrf: kit.csrf.tokenFor(request, reply), returnTo: returnToOf(kit, request) }));
  });

  app.post(
    LINK_PATH,
    { schema: { querystring: Type.Object(ReturnToQuery), body: strictObject({ _csrf: Csrf, remember: RememberBox }) } },
    async (request, reply) => {
      const token = request.cookies[LINK_COOKIE];
      if (!token) return linkProblem(request, reply, 'TOKEN_INVALID');
      const { remember } = request.body as { remember?: 'on' };
      const result = await passwordless.signInWithLink(token, requestContext(request), optionsOf(request, remember === 'on'));
      if (!result.ok) return linkProblem(request, reply, result.code, result.retryAfterSeconds);
      reply.clearCookie(LINK_COOKIE, linkCookieOptions(0));
      return pageSignedIn(request, reply, result.value);
    },
  );

  function linkProblem(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, retryAfterSeconds?: number) {
    reply.clearCookie(LINK_COOKIE, linkCookieOptions(0));
    if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
    const retry = { href: withReturnTo('/login/email', returnToOf(kit, request)), label: t('passwordless.retry') };
    return sendPage(reply, linkProblemPage(messageOf(code), retry), ERROR_CODES[code].status);
  }
}
