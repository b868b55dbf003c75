import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RECOVERY_METHOD_NAMES, type RecoveryMethodName } from '../../config/account-config.ts';
import { passwordProblemMessage } from '../../crypto/passwords/policy.ts';
import { type FormPage, formRoute, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { returnToOf } from '../../http/return-to.ts';
import { Csrf, Email, Password, strictObject, Token } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { ERROR_CODES, errorMessage } from '../../kernel/errors.ts';
import { errorsForCode, type FormErrors, hasErrors } from '../../views/forms.ts';
import { redirectToInbox } from '../inbox/routes.ts';
import { withReturnTo } from '../return-to.ts';
import { apiResetDone, pageResetDone } from './after-reset.ts';
import { codeRecoveryRoutes, ResetCode } from './code-routes.ts';
import type { CodeResetProblem, ResetProblem, TokenProblem } from './service.ts';
import { forgotPasswordPage, forgotSentMessage, resetLinkProblemPage, resetPasswordPage } from './views.ts';

const RESET_COOKIE_MAX_AGE_SECONDS = 15 * 60;

/** `method` of forgot-password: one of RECOVERY_METHOD_NAMES (RECOVERY_METHODS decides which are accepted). */
const Method = Type.String({ enum: [...RECOVERY_METHOD_NAMES] });

/** The title of the page for a reset link that cannot be used: its catalogue key, by problem. */
const TOKEN_TITLES: Record<TokenProblem | 'RATE_LIMITED', string> = {
  TOKEN_INVALID: 'recovery.linkProblem.invalid',
  TOKEN_EXPIRED: 'recovery.linkProblem.expired',
  TOKEN_USED: 'recovery.linkProblem.used',
  TOKEN_REVOKED: 'recovery.linkProblem.revoked',
  RATE_LIMITED: 'recovery.linkProblem.rateLimited',
};

function isTokenProblem(code: ResetProblem): code is TokenProblem | 'RATE_LIMITED' {
  return code in TOKEN_TITLES;
}

/** Forgot-password and reset: pages and JSON API over one RecoveryService. */
export async function recoveryRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { recovery, config } = kit.deps;
  const policy = { minLength: config.passwordMinLength, maxLength: config.passwordMaxLength, breachCheck: config.breachCheck.enabled };
  const messageFor = (code: ResetProblem | CodeResetProblem): string =>
    code.startsWith('PASSWORD_') && code !== 'PASSWORD_SAME_AS_CURRENT'
      ? passwordProblemMessage(code as Parameters<typeof passwordProblemMessage>[0], policy)
      : errorMessage(code);

  // --- JSON API -----------------------------------------------------------------------------
  app.post(
    '/api/password/forgot',
    { schema: { body: strictObject({ email: Email, method: Type.Optional(Method) }) } },
    async (request, reply) => {
      const { email, method } = request.body as { email: string; method?: RecoveryMethodName };
      const result = await recovery.requestReset(email, requestContext(request), undefined, method);
      if (!result.ok) return sendApiError(reply, result.code);
      return reply.status(202).send({ message: forgotSentMessage() });
    },
  );

  // One endpoint, two proofs: the emailed link's token, or an address with its code (code-routes.ts).
  app.post(
    '/api/password/reset',
    {
      schema: {
        body: strictObject({
          token: Type.Optional(Token),
          email: Type.Optional(Email),
          code: Type.Optional(ResetCode),
          password: Password,
        }),
      },
    },
    async (request, reply) => {
      const { token, email, code, password } = request.body as { token?: string; email?: string; code?: string; password: string };
      const byLink = token !== undefined && email === undefined && code === undefined;
      const byCode = token === undefined && email !== undefined && code !== undefined;
      if (!byLink && !byCode) {
        return sendApiError(reply, 'VALIDATION_FAILED', t('recovery.api.tokenOrCode'));
      }
      const result = byLink
        ? await recovery.resetPassword(token as string, password, requestContext(request))
        : await recovery.resetWithCode(email as string, code as string, password, requestContext(request));
      if (!result.ok) return sendApiError(reply, result.code, messageFor(result.code), result.retryAfterSeconds);
      return apiResetDone(kit, request, reply, result.value.userId);
    },
  );

  // --- Pages --------------------------------------------------------------------------------
  app.get('/forgot-password', async (request, reply) =>
    sendPage(
      reply,
      forgotPasswordPage({
        csrf: kit.csrf.tokenFor(request, reply),
        methods: recovery.offeredMethods(),
        returnTo: returnToOf(kit, request),
      }),
    ),
  );

  const forgotForm: FormPage = {
    body: strictObject({ _csrf: Csrf, email: Type.String({ minLength: 1, maxLength: 1024 }), method: Type.Optional(Method) }),
    names: { email: () => t('recovery.field.email'), method: () => t('recovery.field.method') },
    check: (values): FormErrors => (values.email && !parseEmailAddress(values.email) ? { email: errorMessage('EMAIL_INVALID') } : {}),
    render: (request, reply, { values, errors }) =>
      forgotPasswordPage({
        csrf: kit.csrf.tokenFor(request, reply),
        methods: recovery.offeredMethods(),
        method: RECOVERY_METHOD_NAMES.find((name) => name === values.method),
        returnTo: returnToOf(kit, request),
        email: values.email,
        errors,
      }),
  };

  // A code is asked for here and entered on /reset/code, where this sends the browser (the
  // typed address prefilled), whatever the address: the same redirect for every account (S7).
  // A link: "check your inbox", naming the typed address, the same for every address too.
  app.post('/forgot-password', formRoute(forgotForm), async (request, reply) => {
    const { email, method } = request.body as { email: string; method?: RecoveryMethodName };
    const returnTo = returnToOf(kit, request);
    const problems = forgotForm.check?.({ email }) ?? {};
    if (hasErrors(problems)) return sendFormAgain(request, reply, forgotForm, problems);
    const result = await recovery.requestReset(email, requestContext(request), returnTo, method);
    if (!result.ok) {
      const errors =
        result.code === 'RECOVERY_METHOD_NOT_ALLOWED'
          ? { method: errorMessage(result.code) }
          : errorsForCode(result.code, undefined, ['email']);
      return sendFormAgain(request, reply, forgotForm, errors, 400);
    }
    if ((method ?? recovery.defaultMethod()) !== 'link') {
      return reply.redirect(withReturnTo(`/reset/code?email=${encodeURIComponent(email.trim())}`, returnTo), 303);
    }
    return redirectToInbox(kit, reply, { email, reason: 'forgot', returnTo });
  });

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

  const resetForm: FormPage = {
    body: strictObject({ _csrf: Csrf, password: Password, password_confirm: Password }),
    names: { password: () => t('recovery.field.password'), password_confirm: () => t('recovery.field.passwordConfirm') },
    check: (values): FormErrors =>
      values.password && values.password_confirm && values.password !== values.password_confirm
        ? { password_confirm: errorMessage('PASSWORD_MISMATCH') }
        : {},
    render: (request, reply, { errors }) =>
      resetPasswordPage({ csrf: kit.csrf.tokenFor(request, reply), ...policy, returnTo: returnToOf(kit, request), errors }),
  };

  app.post('/reset-password', formRoute(resetForm), async (request, reply) => {
    const { password, password_confirm } = request.body as { password: string; password_confirm: string };
    const token = request.cookies[kit.cookies.reset];
    if (!token) return showTokenProblem(reply, 'TOKEN_INVALID');
    const returnTo = returnToOf(kit, request);
    const problems = resetForm.check?.({ password, password_confirm }) ?? {};
    if (hasErrors(problems)) return sendFormAgain(request, reply, resetForm, problems);
    const result = await recovery.resetPassword(token, password, requestContext(request));
    if (!result.ok) {
      if (isTokenProblem(result.code)) return showTokenProblem(reply, result.code, result.retryAfterSeconds);
      return sendFormAgain(
        request,
        reply,
        resetForm,
        errorsForCode(result.code, messageFor(result.code), ['password']),
        ERROR_CODES[result.code].status,
      );
    }
    reply.clearCookie(kit.cookies.reset, kit.cookies.resetOptions(0));
    return pageResetDone(kit, request, reply, result.value.userId, returnTo);
  });

  await codeRecoveryRoutes(app, kit, messageFor);

  function showTokenProblem(reply: FastifyReply, code: TokenProblem | 'RATE_LIMITED', retryAfterSeconds?: number) {
    reply.clearCookie(kit.cookies.reset, kit.cookies.resetOptions(0));
    if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
    return sendPage(reply, resetLinkProblemPage({ title: t(TOKEN_TITLES[code]), message: errorMessage(code) }), ERROR_CODES[code].status);
  }
}
