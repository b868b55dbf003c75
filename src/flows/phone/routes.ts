import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormPage, formRoute, loadAuth, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendApiError, sendPage, timeFormatOf } from '../../http/kit.ts';
import { Csrf, Password, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { ERROR_CODES, type ErrorCode, errorMessage } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { errorsForCode, type FormErrors } from '../../views/forms.ts';
import { confirmFirstIfNoPassword, reauthWithoutPasswordMessage } from '../reauth/guard.ts';
import { PhoneService } from './service.ts';
import { phonePage, phoneVerifyPage, REMOVE_PASSWORD_ID } from './views.ts';

const Phone = Type.String({ minLength: 1, maxLength: 64 });
const Code = Type.String({ minLength: 1, maxLength: 32 });
const OptionalUsername = Type.Optional(Type.String({ maxLength: 320 }));
/** Pages: an empty password field is no password (REAUTH_REQUIRED unless the session is recent). */
const FormPassword = Type.String({ maxLength: 4096 });

/** CODE_SPENT (the fifth wrong entry killed the code) answers as CODE_INVALID, saying a new code is needed. */
const errorOf = (code: ErrorCode | 'CODE_SPENT'): { code: ErrorCode; message: string } =>
  code === 'CODE_SPENT' ? { code: 'CODE_INVALID', message: t('phone.codeSpent') } : { code, message: errorMessage(code) };

/** The notices of /account/phone after a redirect (catalogue keys); the query names one, never free text. */
const NOTICES: Record<string, string> = {
  added: 'phone.added',
  removed: 'phone.removed',
};

/**
 * A refusal of the flow as form errors: at the number (PHONE_*), at the code (CODE_*), at the
 * password field `password` (a wrong password, or none while one is needed), else on the form.
 */
function errorsOf(code: ErrorCode, message: string, password: string): FormErrors {
  if (code === 'REAUTH_REQUIRED') return { [password]: message };
  if (code.startsWith('PHONE_')) return { phone: message };
  return errorsForCode(code, message, { code: 'code', password, current_password: password });
}

/**
 * The account's phone number: JSON API under /api/phone and the /account/phone pages (plain
 * forms). Adding and removing need a recent authentication: the API takes the password in the
 * body (POST) or a recent POST /api/reauthenticate (DELETE); the pages ask for the password. An
 * account without a password is sent to "Confirm it is you" first when its session is not recent.
 */
export async function phoneRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const d = kit.deps;
  const phones = new PhoneService({
    store: d.store,
    outbox: d.outbox,
    clock: d.clock,
    codes: d.mfa.codes,
    sender: d.smsSender,
    sessions: d.sessions,
    reauthenticate: (auth, password, context) => d.emailChange.reauthenticate(auth, password, context),
  });

  const PAGE = '/account/phone';
  const confirmFirst = (reply: FastifyReply, auth: ActiveSession) => confirmFirstIfNoPassword(d.reauth, auth, reply, PAGE);
  /** REAUTH_REQUIRED's message: an account without a password has none to enter again. */
  const reauthMessage = async (auth: ActiveSession, code: ErrorCode) =>
    code === 'REAUTH_REQUIRED' && !(await d.reauth.hasPassword(auth.user.id)) ? reauthWithoutPasswordMessage() : undefined;

  const apiAuth = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) sendApiError(reply, 'NOT_AUTHENTICATED');
    return request.auth;
  };
  const pageAuth = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) reply.redirect(`/login?next=${encodeURIComponent('/account/phone')}`, 303);
    return request.auth;
  };

  // --- JSON API -----------------------------------------------------------------------------
  app.get('/api/phone', async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    const phone = await phones.current(auth.user.id);
    return reply.send({ phone: phone && { number: phone.phone, verifiedAtMs: phone.verifiedAtMs }, smsAvailable: phones.available });
  });

  app.post(
    '/api/phone',
    { schema: { body: strictObject({ phone: Phone, password: Type.Optional(Password) }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { phone, password } = request.body as { phone: string; password?: string };
      const result = await phones.start(auth, phone, password, requestContext(request));
      if (!result.ok) return sendApiError(reply, result.code, await reauthMessage(auth, result.code), result.retryAfterSeconds);
      return reply.status(202).send({ message: t('phone.codeSent'), phone: result.value.phone });
    },
  );

  app.post('/api/phone/verify', { schema: { body: strictObject({ code: Code }) } }, async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    const result = await phones.verify(auth, (request.body as { code: string }).code, requestContext(request));
    if (!result.ok) {
      const error = errorOf(result.code);
      return sendApiError(reply, error.code, error.message);
    }
    return reply.send({ phone: { number: result.value.phone, verifiedAtMs: result.value.verifiedAtMs } });
  });

  app.delete('/api/phone', async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    const result = await phones.remove(auth, undefined, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, await reauthMessage(auth, result.code), result.retryAfterSeconds);
    return reply.status(204).send();
  });

  // --- Pages --------------------------------------------------------------------------------
  const phonePageHtml = async (
    request: FastifyRequest,
    reply: FastifyReply,
    auth: ActiveSession,
    o: { info?: string | undefined; typed?: string | undefined; errors?: FormErrors } = {},
  ) =>
    phonePage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      phone: await phones.current(auth.user.id),
      available: phones.available,
      times: timeFormatOf(kit, request),
      askPassword: await d.reauth.hasPassword(auth.user.id),
      typed: o.typed?.slice(0, 64),
      info: o.info,
      errors: o.errors,
    });
  const verifyPageHtml = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, errors?: FormErrors) =>
    phoneVerifyPage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, pending: await phones.pending(auth.user.id), errors });
  /** The signed-in session of a form answered before its handler ran (a schema or CSRF failure). */
  const formAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    await loadAuth(kit, request);
    return pageAuth(request, reply);
  };
  const refused = (request: FastifyRequest, reply: FastifyReply, page: FormPage, errors: FormErrors, code: ErrorCode, retry?: number) => {
    if (retry) reply.header('retry-after', String(retry));
    return sendFormAgain(request, reply, page, errors, ERROR_CODES[code].status);
  };

  app.get('/account/phone', async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth)) return reply;
    const notice = (request.query as { notice?: string }).notice;
    const key = notice !== undefined && Object.hasOwn(NOTICES, notice) ? NOTICES[notice] : undefined;
    return sendPage(reply, await phonePageHtml(request, reply, auth, { info: key && t(key) }));
  });

  const addForm: FormPage = {
    body: strictObject({
      _csrf: Csrf,
      username: OptionalUsername,
      phone: Type.String({ minLength: 1, maxLength: 1024 }),
      password: Type.Optional(FormPassword),
    }),
    names: { phone: () => t('phone.field.phone'), password: () => t('phone.field.password') },
    render: async (request, reply, { values, errors }) => {
      const auth = await formAuth(request, reply);
      return auth && phonePageHtml(request, reply, auth, { typed: values.phone, errors });
    },
  };
  app.post('/account/phone', formRoute(addForm), async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const { phone, password } = request.body as { phone: string; password?: string };
    const result = await phones.start(auth, phone, password || undefined, requestContext(request));
    if (!result.ok) {
      if (result.code === 'REAUTH_REQUIRED' && (await confirmFirst(reply, auth))) return reply;
      const errors = errorsOf(result.code, errorMessage(result.code), 'password');
      return refused(request, reply, addForm, errors, result.code, result.retryAfterSeconds);
    }
    return reply.redirect('/account/phone/verify', 303);
  });

  app.get('/account/phone/verify', async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    return sendPage(reply, await verifyPageHtml(request, reply, auth));
  });

  const verifyForm: FormPage = {
    body: strictObject({ _csrf: Csrf, code: Code }),
    names: { code: () => t('phone.field.code') },
    render: async (request, reply, { errors }) => {
      const auth = await formAuth(request, reply);
      return auth && verifyPageHtml(request, reply, auth, errors);
    },
  };
  app.post('/account/phone/verify', formRoute(verifyForm), async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const result = await phones.verify(auth, (request.body as { code: string }).code, requestContext(request));
    if (!result.ok) {
      const error = errorOf(result.code);
      return refused(request, reply, verifyForm, errorsOf(error.code, error.message, 'password'), error.code);
    }
    return reply.redirect('/account/phone?notice=added', 303);
  });

  const removeForm: FormPage = {
    body: strictObject({ _csrf: Csrf, username: OptionalUsername, password: Type.Optional(FormPassword) }),
    names: { password: () => t('phone.field.password') },
    render: async (request, reply, { errors }) => {
      const auth = await formAuth(request, reply);
      if (!auth) return undefined;
      // The remove form's password has its own id (the add form has one too).
      const renamed = Object.fromEntries(
        Object.entries(errors).map(([name, message]) => [name === 'password' ? REMOVE_PASSWORD_ID : name, message]),
      );
      return phonePageHtml(request, reply, auth, { errors: renamed });
    },
  };
  app.post('/account/phone/remove', formRoute(removeForm), async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const result = await phones.remove(auth, (request.body as { password?: string }).password || undefined, requestContext(request));
    if (!result.ok) {
      if (result.code === 'REAUTH_REQUIRED' && (await confirmFirst(reply, auth))) return reply;
      const errors = errorsOf(result.code, errorMessage(result.code), 'password');
      return refused(request, reply, removeForm, errors, result.code, result.retryAfterSeconds);
    }
    return reply.redirect('/account/phone?notice=removed', 303);
  });
}
