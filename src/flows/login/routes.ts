import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { OIDC_SESSION_COOKIE } from '../../deps/oidc.ts';
import { type FormPage, formRoute } from '../../http/form-pages.ts';
import {
  clearSessionCookie,
  type HttpKit,
  requestContext,
  sendApiError,
  sendPage,
  setSessionCookie,
  timeFormatOf,
} from '../../http/kit.ts';
import { ReturnToQuery, returnToOf } from '../../http/return-to.ts';
import { Csrf, Email, Password, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { ERROR_CODES, errorMessage } from '../../kernel/errors.ts';
import { formProblem } from '../../views/forms.ts';
import { rememberedDeviceOf, sendSecondFactorRequired, setPendingLoginCookie } from '../mfa/second-step-routes.ts';
import { withReturnTo } from '../return-to.ts';
import { accountOverview } from '../settings/overview.ts';
import { deviceCookieName, issueDeviceCookie } from './device-cookies.ts';
import { needsSecondStep } from './service.ts';
import { homePage, loginNotice, loginPage, logoutPage } from './views.ts';

const NextQuery = Type.Object({
  ...ReturnToQuery,
  notice: Type.Optional(Type.String({ maxLength: 64 })),
});

const ApiLoginBody = strictObject({
  email: Type.Optional(Email),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  password: Password,
  remember: Type.Optional(Type.Boolean()),
});

export async function loginRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { login, sessions, store, clock, config, deviceCookies } = kit.deps;
  const deviceCookie = deviceCookieName(kit.cookies);
  const usernames = config.account.usernames !== 'off';
  const confirmation = config.account.confirmEmail !== 'off';
  const passwordless = config.account.passwordless === 'on';
  const passkeys = kit.deps.passkeys.enabled;

  // --- JSON API -----------------------------------------------------------------------------
  app.post('/api/login', { schema: { body: ApiLoginBody } }, async (request, reply) => {
    const body = request.body as { email?: string; username?: string; password: string; remember?: boolean };
    const identifier = body.email ?? body.username;
    if (identifier === undefined || (body.email !== undefined && body.username !== undefined)) {
      return sendApiError(reply, 'VALIDATION_FAILED', t('login.api.emailOrUsername'));
    }
    const result = await login.login(identifier, body.password, requestContext(request), {
      remember: body.remember === true,
      deviceCookie: request.cookies[deviceCookie],
      rememberedDevice: rememberedDeviceOf(kit, request),
    });
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    if (needsSecondStep(result.value)) return sendSecondFactorRequired(kit, reply, result.value);
    await sessions.revoke(request.cookies[kit.cookies.session]);
    setSessionCookie(kit, reply, result.value.session);
    issueDeviceCookie(reply, kit.cookies, deviceCookies, result.value.user.id);
    return reply.send({ user: result.value.user });
  });

  app.post('/api/logout', async (request, reply) => {
    await signOut(request.auth?.user.id, request.cookies[kit.cookies.session], requestContext(request));
    await kit.deps.oidc?.endBrowserSession(request.cookies[OIDC_SESSION_COOKIE]);
    clearSessionCookie(kit, reply);
    return reply.status(204).send();
  });

  app.get('/api/session', async (request, reply) => {
    if (!request.auth) return sendApiError(reply, 'NOT_AUTHENTICATED');
    const { id, email, name, username } = request.auth.user;
    return reply.send({ user: { id, email, name, username } });
  });

  app.get('/api/account', async (request, reply) => {
    const account = request.auth && (await accountOverview(kit.deps, request.auth.user.id));
    if (!account) return sendApiError(reply, 'NOT_AUTHENTICATED');
    return reply.send({ account });
  });

  // --- Pages --------------------------------------------------------------------------------
  app.get('/', { schema: { querystring: NextQuery } }, async (request, reply) => {
    const csrf = kit.csrf.tokenFor(request, reply);
    const account = request.auth && (await accountOverview(kit.deps, request.auth.user.id));
    const notice = (request.query as { notice?: string }).notice;
    return sendPage(
      reply,
      homePage({
        csrf,
        smsAvailable: kit.deps.smsAvailable,
        passkeys,
        account,
        times: timeFormatOf(kit, request),
        info: notice !== undefined && Object.hasOwn(ACCOUNT_NOTICES, notice) ? t(ACCOUNT_NOTICES[notice] as string) : undefined,
      }),
    );
  });

  app.get('/login', { schema: { querystring: NextQuery } }, async (request, reply) => {
    const query = request.query as { notice?: string };
    const info = loginNotice(query.notice);
    const returnTo = returnToOf(kit, request);
    return sendPage(
      reply,
      loginPage({ csrf: kit.csrf.tokenFor(request, reply), returnTo, info, usernames, confirmation, passwordless, passkeys }),
    );
  });

  const LoginForm = strictObject({
    _csrf: Csrf,
    email: Type.String({ minLength: 1, maxLength: 1024 }),
    password: Password,
    remember: Type.Optional(Type.Literal('on')),
  });
  const loginForm: FormPage = {
    body: LoginForm,
    names: {
      email: () => t(usernames ? 'login.field.emailOrUsername' : 'login.field.email'),
      password: () => t('login.field.password'),
      remember: () => t('login.field.remember'),
    },
    render: (request, reply, { values, errors }) =>
      loginPage({
        csrf: kit.csrf.tokenFor(request, reply),
        email: values.email,
        returnTo: returnToOf(kit, request),
        errors,
        usernames,
        confirmation,
        passwordless,
        remember: values.remember === 'on',
        passkeys,
      }),
  };

  app.post('/login', formRoute(loginForm, NextQuery), async (request, reply) => {
    const { email, password, remember } = request.body as { email: string; password: string; remember?: 'on' };
    const returnTo = returnToOf(kit, request);
    const result = await login.login(email, password, requestContext(request), {
      remember: remember === 'on',
      deviceCookie: request.cookies[deviceCookie],
      rememberedDevice: rememberedDeviceOf(kit, request),
    });
    if (!result.ok) {
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      const page = loginPage({
        csrf: kit.csrf.tokenFor(request, reply),
        email,
        returnTo,
        errors: formProblem(errorMessage(result.code)),
        usernames,
        confirmation,
        passwordless,
        unconfirmed: result.code === 'EMAIL_NOT_CONFIRMED',
        remember: remember === 'on',
        passkeys,
      });
      return sendPage(reply, page, ERROR_CODES[result.code].status);
    }
    if (needsSecondStep(result.value)) {
      setPendingLoginCookie(kit, reply, result.value);
      return reply.redirect(withReturnTo('/login/second-factor', returnTo), 303);
    }
    await sessions.revoke(request.cookies[kit.cookies.session]);
    setSessionCookie(kit, reply, result.value.session);
    issueDeviceCookie(reply, kit.cookies, deviceCookies, result.value.user.id);
    return reply.redirect(returnTo ?? '/', 303);
  });

  // A page with the sign-out button, for applications to link to (`/logout?return_to=...`):
  // signing out is a POST with a CSRF token, never a GET side effect (S12).
  app.get('/logout', { schema: { querystring: Type.Object(ReturnToQuery) } }, async (request, reply) => {
    const returnTo = returnToOf(kit, request);
    if (!request.auth) return reply.redirect(returnTo ?? '/login', 303);
    return sendPage(reply, logoutPage({ csrf: kit.csrf.tokenFor(request, reply), returnTo }));
  });

  app.post(
    '/logout',
    { schema: { querystring: Type.Object(ReturnToQuery), body: strictObject({ _csrf: Csrf }) } },
    async (request, reply) => {
      await signOut(request.auth?.user.id, request.cookies[kit.cookies.session], requestContext(request));
      await kit.deps.oidc?.endBrowserSession(request.cookies[OIDC_SESSION_COOKIE]);
      clearSessionCookie(kit, reply);
      return reply.redirect(returnToOf(kit, request) ?? '/login?notice=signed-out', 303);
    },
  );

  async function signOut(userId: string | undefined, token: string | undefined, context: ReturnType<typeof requestContext>) {
    await sessions.revoke(token);
    if (userId) await store.audit.record({ type: 'logout', userId, ...context, nowMs: clock.nowMs() });
  }
}

/** Fixed notices for the account page after a redirect: their catalogue keys. */
const ACCOUNT_NOTICES: Record<string, string> = {
  'password-changed': 'login.home.notice.passwordChanged',
  'password-set': 'login.home.notice.passwordSet',
  'email-change-sent': 'login.home.notice.emailChangeSent',
  'email-changed': 'login.home.notice.emailChanged',
  'email-confirmed': 'login.home.notice.emailConfirmed',
  'signed-in-after-reset': 'login.home.notice.signedInAfterReset',
};
