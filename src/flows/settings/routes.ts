import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { passwordProblemMessage } from '../../crypto/passwords/policy.ts';
import { type FormPage, formRoute, loadAuth, sendFormAgain } from '../../http/form-pages.ts';
import { callerOf, type HttpKit, requestContext, sendApiError, sendPage, setSessionCookie, timeFormatOf } from '../../http/kit.ts';
import { Csrf, Email, Password, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { ERROR_CODES, type ErrorCode, errorMessage } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { errorsForCode, type FormErrors, hasErrors } from '../../views/forms.ts';
import { confirmFirstIfNoPassword, reauthWithoutPasswordMessage } from '../reauth/guard.ts';
import { activityRoutes } from './activity.ts';
import type { Caller } from './password-change.ts';
import { changeEmailPage, changePasswordPage, sessionsPage, setPasswordPage } from './views.ts';

const SessionId = Type.String({ minLength: 1, maxLength: 64 });

/** Signed-in settings: change password, change email, sessions. Pages and JSON API over the flow cores. */
export async function settingsRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { passwordChange, emailChange, sessions, reauth, config } = kit.deps;
  const withRecency = (caller: Caller & { auth: ActiveSession }) => ({
    ...caller,
    recentlyAuthenticated: sessions.isRecentlyAuthenticated(caller.auth.session),
  });
  const policy = { minLength: config.passwordMinLength, maxLength: config.passwordMaxLength, breachCheck: config.breachCheck.enabled };
  const messageFor = (code: ErrorCode): string =>
    code.startsWith('PASSWORD_') && code !== 'PASSWORD_SAME_AS_CURRENT' && code !== 'PASSWORD_MISMATCH'
      ? passwordProblemMessage(code as Parameters<typeof passwordProblemMessage>[0], policy)
      : errorMessage(code);

  /** The caller of an API request, or a 401 already sent. */
  const apiCaller = (request: FastifyRequest, reply: FastifyReply): (Caller & { auth: ActiveSession }) | undefined => {
    const caller = callerOf(request);
    if (!caller || !request.auth) {
      sendApiError(reply, 'NOT_AUTHENTICATED');
      return undefined;
    }
    return { ...caller, auth: request.auth };
  };
  /** The caller of a page request, or a redirect to the login page already sent. */
  const pageCaller = (request: FastifyRequest, reply: FastifyReply): (Caller & { auth: ActiveSession }) | undefined => {
    const caller = callerOf(request);
    if (!caller || !request.auth) {
      reply.redirect(`/login?next=${encodeURIComponent(request.url.split('?')[0] ?? '/')}`, 303);
      return undefined;
    }
    return { ...caller, auth: request.auth };
  };

  // --- Change password, or set the first one -----------------------------------------------
  app.post(
    '/api/password/change',
    { schema: { body: strictObject({ current_password: Type.Optional(Password), new_password: Password }) } },
    async (request, reply) => {
      const caller = apiCaller(request, reply);
      if (!caller) return reply;
      const { current_password, new_password } = request.body as { current_password?: string; new_password: string };
      const result = await passwordChange.change(withRecency(caller), current_password, new_password, requestContext(request));
      if (!result.ok) {
        const message =
          result.code === 'REAUTH_REQUIRED' && !(await passwordChange.hasPassword(caller.userId))
            ? reauthWithoutPasswordMessage()
            : messageFor(result.code);
        return sendApiError(reply, result.code, message, result.retryAfterSeconds);
      }
      setSessionCookie(kit, reply, result.value.session);
      return reply.send({
        message: result.value.set ? t('settings.password.setDone') : t('settings.password.changed'),
      });
    },
  );

  /** The page: "Change your password", or "Set a password" for an account without one (after "Confirm it is you"). */
  const passwordPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    caller: Caller & { auth: ActiveSession },
    errors?: FormErrors,
  ) => {
    const o = { csrf: kit.csrf.tokenFor(request, reply), user: caller.auth.user, ...policy, errors };
    return (await passwordChange.hasPassword(caller.userId)) ? changePasswordPage(o) : setPasswordPage(o);
  };
  const passwordFields = { current_password: 'current_password', password: 'new_password' };
  const passwordForm: FormPage = {
    body: strictObject({
      _csrf: Csrf,
      username: Type.Optional(Type.String({ maxLength: 320 })),
      current_password: Type.Optional(Password),
      new_password: Password,
      new_password_confirm: Password,
    }),
    names: {
      current_password: () => t('settings.password.nameCurrent'),
      new_password: () => t('settings.password.nameNew'),
      new_password_confirm: () => t('settings.password.nameNewAgain'),
    },
    check: (values): FormErrors =>
      values.new_password && values.new_password_confirm && values.new_password !== values.new_password_confirm
        ? { new_password_confirm: errorMessage('PASSWORD_MISMATCH') }
        : {},
    render: async (request, reply, { errors }) => {
      await loadAuth(kit, request);
      const caller = pageCaller(request, reply);
      return caller && passwordPage(request, reply, caller, errors);
    },
  };

  app.get('/account/password', async (request, reply) => {
    const caller = pageCaller(request, reply);
    if (!caller) return reply;
    if (await confirmFirstIfNoPassword(reauth, caller.auth, reply, '/account/password')) return reply;
    return sendPage(reply, await passwordPage(request, reply, caller));
  });

  app.post('/account/password', formRoute(passwordForm), async (request, reply) => {
    const caller = pageCaller(request, reply);
    if (!caller) return reply;
    const body = request.body as { current_password?: string; new_password: string; new_password_confirm: string };
    const problems = passwordForm.check?.(body) ?? {};
    if (hasErrors(problems)) return sendFormAgain(request, reply, passwordForm, problems);
    const result = await passwordChange.change(withRecency(caller), body.current_password, body.new_password, requestContext(request));
    if (!result.ok) {
      if (result.code === 'REAUTH_REQUIRED' && (await confirmFirstIfNoPassword(reauth, caller.auth, reply, '/account/password'))) {
        return reply;
      }
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      const errors = errorsForCode(result.code, messageFor(result.code), passwordFields);
      return sendFormAgain(request, reply, passwordForm, errors, ERROR_CODES[result.code].status);
    }
    setSessionCookie(kit, reply, result.value.session);
    return reply.redirect(result.value.set ? '/?notice=password-set' : '/?notice=password-changed', 303);
  });

  // --- Change email (recent authentication: flows/reauth) ----------------------------------
  app.post(
    '/api/email/change',
    { schema: { body: strictObject({ email: Email, password: Type.Optional(Password) }) } },
    async (request, reply) => {
      const caller = apiCaller(request, reply);
      if (!caller) return reply;
      const { email, password } = request.body as { email: string; password?: string };
      const result = await emailChange.request(caller.auth, email, password, requestContext(request));
      if (!result.ok) {
        const message =
          result.code === 'REAUTH_REQUIRED' && !(await passwordChange.hasPassword(caller.userId))
            ? reauthWithoutPasswordMessage()
            : undefined;
        return sendApiError(reply, result.code, message, result.retryAfterSeconds);
      }
      return reply.status(202).send({ message: t('settings.email.sent') });
    },
  );

  /** The page; an account without a password is not asked for one (it confirmed it is them lately instead). */
  const emailPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    auth: ActiveSession,
    o: { email?: string; errors?: FormErrors } = {},
  ) =>
    changeEmailPage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      askPassword: await passwordChange.hasPassword(auth.user.id),
      email: o.email,
      errors: o.errors,
    });
  const emailForm: FormPage = {
    // An empty password is no password (an account without one is not asked for it).
    body: strictObject({
      _csrf: Csrf,
      email: Type.String({ minLength: 1, maxLength: 1024 }),
      password: Type.Optional(Type.String({ maxLength: 4096 })),
    }),
    names: {
      email: () => t('settings.email.nameEmail'),
      password: () => t('settings.email.namePassword'),
    },
    check: (values): FormErrors => (values.email && !parseEmailAddress(values.email) ? { email: errorMessage('EMAIL_INVALID') } : {}),
    render: async (request, reply, { values, errors }) => {
      await loadAuth(kit, request);
      const caller = pageCaller(request, reply);
      return caller && emailPage(request, reply, caller.auth, { email: values.email, errors });
    },
  };

  app.get('/account/email', async (request, reply) => {
    const caller = pageCaller(request, reply);
    if (!caller) return reply;
    if (await confirmFirstIfNoPassword(reauth, caller.auth, reply, '/account/email')) return reply;
    return sendPage(reply, await emailPage(request, reply, caller.auth));
  });

  app.post('/account/email', formRoute(emailForm), async (request, reply) => {
    const caller = pageCaller(request, reply);
    if (!caller) return reply;
    const { email, password } = request.body as { email: string; password?: string };
    const problems = emailForm.check?.({ email }) ?? {};
    if (hasErrors(problems)) return sendFormAgain(request, reply, emailForm, problems);
    const result = await emailChange.request(caller.auth, email, password || undefined, requestContext(request));
    if (!result.ok) {
      if (result.code === 'REAUTH_REQUIRED' && (await confirmFirstIfNoPassword(reauth, caller.auth, reply, '/account/email'))) {
        return reply;
      }
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      const errors = errorsForCode(result.code, undefined, { email: 'email', password: 'password', current_password: 'password' });
      return sendFormAgain(request, reply, emailForm, errors, ERROR_CODES[result.code].status);
    }
    return reply.redirect('/?notice=email-change-sent', 303);
  });

  // --- Sessions -----------------------------------------------------------------------------
  app.get('/api/sessions', async (request, reply) => {
    const caller = apiCaller(request, reply);
    if (!caller) return reply;
    return reply.send({ sessions: await sessions.list(caller.userId, caller.sessionId) });
  });

  app.delete('/api/sessions/:id', { schema: { params: strictObject({ id: SessionId }) } }, async (request, reply) => {
    const caller = apiCaller(request, reply);
    if (!caller) return reply;
    const result = await sessions.revokeOne(caller.userId, (request.params as { id: string }).id, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code);
    return reply.status(204).send();
  });

  app.post('/api/sessions/revoke-others', async (request, reply) => {
    const caller = apiCaller(request, reply);
    if (!caller) return reply;
    const ended = await sessions.revokeOthers(caller.userId, caller.sessionId, requestContext(request));
    return reply.send({ sessionsEnded: ended });
  });

  app.get('/account/sessions', async (request, reply) => {
    const caller = pageCaller(request, reply);
    if (!caller) return reply;
    const list = await sessions.list(caller.userId, caller.sessionId);
    const info = (request.query as { notice?: string }).notice === 'revoked' ? t('settings.sessions.revoked') : undefined;
    return sendPage(
      reply,
      sessionsPage({
        csrf: kit.csrf.tokenFor(request, reply),
        user: caller.auth.user,
        sessions: list,
        times: timeFormatOf(kit, request),
        info,
      }),
    );
  });

  app.post(
    '/account/sessions/revoke',
    { schema: { body: strictObject({ _csrf: Csrf, session_id: SessionId }) } },
    async (request, reply) => {
      const caller = pageCaller(request, reply);
      if (!caller) return reply;
      const result = await sessions.revokeOne(caller.userId, (request.body as { session_id: string }).session_id, requestContext(request));
      if (!result.ok) {
        const list = await sessions.list(caller.userId, caller.sessionId);
        const page = sessionsPage({
          csrf: kit.csrf.tokenFor(request, reply),
          user: caller.auth.user,
          sessions: list,
          times: timeFormatOf(kit, request),
          error: errorMessage(result.code),
        });
        return sendPage(reply, page, ERROR_CODES[result.code].status);
      }
      return reply.redirect('/account/sessions?notice=revoked', 303);
    },
  );

  app.post('/account/sessions/revoke-others', { schema: { body: strictObject({ _csrf: Csrf }) } }, async (request, reply) => {
    const caller = pageCaller(request, reply);
    if (!caller) return reply;
    await sessions.revokeOthers(caller.userId, caller.sessionId, requestContext(request));
    return reply.redirect('/account/sessions?notice=revoked', 303);
  });

  // --- Recent security activity -------------------------------------------------------------
  await activityRoutes(app, kit);
}
