import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { passwordProblemMessage } from '../../crypto/passwords/policy.ts';
import { type HttpKit, requestContext, sendApiError, sendPage, setSessionCookie } from '../../http/kit.ts';
import { returnToOf } from '../../http/return-to.ts';
import { Csrf, Email, Password, strictObject, Token } from '../../http/schemas.ts';
import { ERROR_CODES } from '../../kernel/errors.ts';
import { withReturnTo } from '../return-to.ts';
import type { ResetProblem, TokenProblem } from './service.ts';
import { FORGOT_SENT_MESSAGE, forgotPasswordPage, resetLinkProblemPage, resetPasswordPage } from './views.ts';

const RESET_COOKIE_MAX_AGE_SECONDS = 15 * 60;

const TOKEN_TITLES: Record<TokenProblem | 'RATE_LIMITED', string> = {
  TOKEN_INVALID: 'This link is not valid',
  TOKEN_EXPIRED: 'This link has expired',
  TOKEN_USED: 'This link was already used',
  TOKEN_REVOKED: 'This link is no longer valid',
  RATE_LIMITED: 'Too many attempts',
};

function isTokenProblem(code: ResetProblem): code is TokenProblem | 'RATE_LIMITED' {
  return code in TOKEN_TITLES;
}

/** Forgot-password and reset: pages and JSON API over one RecoveryService. */
export async function recoveryRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { recovery, config, login, sessions } = kit.deps;
  const autoLogin = config.account.autoLoginAfterReset;
  const policy = { minLength: config.passwordMinLength, maxLength: config.passwordMaxLength };
  const messageFor = (code: ResetProblem): string =>
    code.startsWith('PASSWORD_') && code !== 'PASSWORD_SAME_AS_CURRENT'
      ? passwordProblemMessage(code as Parameters<typeof passwordProblemMessage>[0], policy)
      : ERROR_CODES[code].message;

  // --- JSON API -----------------------------------------------------------------------------
  app.post('/api/password/forgot', { schema: { body: strictObject({ email: Email }) } }, async (request, reply) => {
    const { email } = request.body as { email: string };
    const result = await recovery.requestReset(email, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code);
    return reply.status(202).send({ message: FORGOT_SENT_MESSAGE });
  });

  app.post('/api/password/reset', { schema: { body: strictObject({ token: Token, password: Password }) } }, async (request, reply) => {
    const { token, password } = request.body as { token: string; password: string };
    const result = await recovery.resetPassword(token, password, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, messageFor(result.code), result.retryAfterSeconds);
    if (autoLogin) {
      const signedIn = await login.signInAfterReset(result.value.userId, requestContext(request));
      if (signedIn.ok) {
        await sessions.revoke(request.cookies[kit.cookies.session]);
        setSessionCookie(kit, reply, signedIn.value.session);
        return reply.send({ message: 'Your password has been changed and you are signed in.', user: signedIn.value.user });
      }
    }
    return reply.send({ message: 'Your password has been changed. Sign in with the new password.' });
  });

  // --- Pages --------------------------------------------------------------------------------
  app.get('/forgot-password', async (request, reply) =>
    sendPage(reply, forgotPasswordPage({ csrf: kit.csrf.tokenFor(request, reply), returnTo: returnToOf(kit, request) })),
  );

  app.post(
    '/forgot-password',
    { schema: { body: strictObject({ _csrf: Csrf, email: Type.String({ maxLength: 1024 }) }) } },
    async (request, reply) => {
      const { email } = request.body as { email: string };
      const returnTo = returnToOf(kit, request);
      const result = await recovery.requestReset(email, requestContext(request), returnTo);
      const csrf = kit.csrf.tokenFor(request, reply);
      if (!result.ok) return sendPage(reply, forgotPasswordPage({ csrf, returnTo, email, error: ERROR_CODES[result.code].message }), 400);
      return sendPage(reply, forgotPasswordPage({ csrf, returnTo, info: FORGOT_SENT_MESSAGE }));
    },
  );

  // The emailed link. Changes nothing (mail scanners open links): it checks the token, moves it
  // into a short-lived HttpOnly cookie and redirects to a URL without it (S10).
  app.get(
    '/reset-password/:token',
    { schema: { params: strictObject({ token: Type.String({ maxLength: 256 }) }) } },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const check = await recovery.checkToken(token, requestContext(request));
      if (!check.ok) return showTokenProblem(reply, check.code, check.retryAfterSeconds);
      reply.setCookie(kit.cookies.reset, token, kit.cookies.resetOptions(RESET_COOKIE_MAX_AGE_SECONDS));
      return reply.redirect(withReturnTo('/reset-password', returnToOf(kit, request)), 303);
    },
  );

  app.get('/reset-password', async (request, reply) => {
    const token = request.cookies[kit.cookies.reset];
    if (!token) return showTokenProblem(reply, 'TOKEN_INVALID');
    const check = await recovery.checkToken(token, requestContext(request));
    if (!check.ok) return showTokenProblem(reply, check.code, check.retryAfterSeconds);
    return sendPage(reply, resetPasswordPage({ csrf: kit.csrf.tokenFor(request, reply), ...policy, returnTo: returnToOf(kit, request) }));
  });

  app.post(
    '/reset-password',
    { schema: { body: strictObject({ _csrf: Csrf, password: Password, password_confirm: Password }) } },
    async (request, reply) => {
      const { password, password_confirm } = request.body as { password: string; password_confirm: string };
      const token = request.cookies[kit.cookies.reset];
      if (!token) return showTokenProblem(reply, 'TOKEN_INVALID');
      const returnTo = returnToOf(kit, request);
      const formAgain = (error: string, status: number) =>
        sendPage(reply, resetPasswordPage({ csrf: kit.csrf.tokenFor(request, reply), ...policy, returnTo, error }), status);
      if (password !== password_confirm) return formAgain(ERROR_CODES.PASSWORD_MISMATCH.message, 400);
      const result = await recovery.resetPassword(token, password, requestContext(request));
      if (!result.ok) {
        if (isTokenProblem(result.code)) return showTokenProblem(reply, result.code, result.retryAfterSeconds);
        return formAgain(messageFor(result.code), ERROR_CODES[result.code].status);
      }
      reply.clearCookie(kit.cookies.reset, kit.cookies.resetOptions(0));
      if (autoLogin) {
        // AUTO_LOGIN_AFTER_RESET: a fresh session (the reset ended every old one), unless the
        // user has a second factor, who then signs in on the login page (S17).
        const signedIn = await login.signInAfterReset(result.value.userId, requestContext(request));
        if (signedIn.ok) {
          await sessions.revoke(request.cookies[kit.cookies.session]);
          setSessionCookie(kit, reply, signedIn.value.session);
          return reply.redirect(returnTo ?? '/?notice=signed-in-after-reset', 303);
        }
      }
      return reply.redirect(withReturnTo('/login?notice=password-reset', returnTo), 303);
    },
  );

  function showTokenProblem(reply: FastifyReply, code: TokenProblem | 'RATE_LIMITED', retryAfterSeconds?: number) {
    reply.clearCookie(kit.cookies.reset, kit.cookies.resetOptions(0));
    if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
    return sendPage(
      reply,
      resetLinkProblemPage({ title: TOKEN_TITLES[code], message: ERROR_CODES[code].message }),
      ERROR_CODES[code].status,
    );
  }
}
