import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HttpKit, requestContext, sendApiError, sendPage, timeFormatOf } from '../../http/kit.ts';
import { Csrf, Password, strictObject } from '../../http/schemas.ts';
import { ERROR_CODES, type ErrorCode } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { confirmFirstIfNoPassword, REAUTH_WITHOUT_PASSWORD_MESSAGE } from '../reauth/guard.ts';
import { PhoneService } from './service.ts';
import { phonePage, phoneVerifyPage } from './views.ts';

const Phone = Type.String({ minLength: 1, maxLength: 64 });
const Code = Type.String({ minLength: 1, maxLength: 32 });
const OptionalUsername = Type.Optional(Type.String({ maxLength: 320 }));
/** Pages: an empty password field is no password (REAUTH_REQUIRED unless the session is recent). */
const FormPassword = Type.String({ maxLength: 4096 });

/** CODE_SPENT (the fifth wrong entry killed the code) answers as CODE_INVALID, saying a new code is needed. */
const CODE_SPENT_MESSAGE = 'Too many wrong codes were entered: this code no longer works. Ask for a new one.';
const errorOf = (code: ErrorCode | 'CODE_SPENT'): { code: ErrorCode; message: string } =>
  code === 'CODE_SPENT' ? { code: 'CODE_INVALID', message: CODE_SPENT_MESSAGE } : { code, message: ERROR_CODES[code].message };

const NOTICES: Record<string, string> = {
  added: 'Your phone number was verified and added.',
  removed: 'Your phone number was removed.',
};

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
    code === 'REAUTH_REQUIRED' && !(await d.reauth.hasPassword(auth.user.id)) ? REAUTH_WITHOUT_PASSWORD_MESSAGE : undefined;

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
      return reply.status(202).send({ message: 'We sent a code by SMS. Enter it to add the number.', phone: result.value.phone });
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
  const showPhonePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    auth: ActiveSession,
    o: { error?: string; info?: string; typed?: string; status?: number; retryAfterSeconds?: number | undefined } = {},
  ) => {
    if (o.retryAfterSeconds) reply.header('retry-after', String(o.retryAfterSeconds));
    const page = phonePage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      phone: await phones.current(auth.user.id),
      available: phones.available,
      times: timeFormatOf(kit, request),
      askPassword: await d.reauth.hasPassword(auth.user.id),
      ...(o.typed !== undefined ? { typed: o.typed } : {}),
      info: o.info,
      error: o.error,
    });
    return sendPage(reply, page, o.status);
  };

  app.get('/account/phone', async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth)) return reply;
    const notice = (request.query as { notice?: string }).notice;
    return showPhonePage(request, reply, auth, {
      info: notice !== undefined && Object.hasOwn(NOTICES, notice) ? NOTICES[notice] : undefined,
    });
  });

  app.post(
    '/account/phone',
    {
      schema: {
        body: strictObject({
          _csrf: Csrf,
          username: OptionalUsername,
          phone: Type.String({ maxLength: 1024 }),
          password: Type.Optional(FormPassword),
        }),
      },
    },
    async (request, reply) => {
      const auth = pageAuth(request, reply);
      if (!auth) return reply;
      const { phone, password } = request.body as { phone: string; password?: string };
      const result = await phones.start(auth, phone, password || undefined, requestContext(request));
      if (!result.ok) {
        if (result.code === 'REAUTH_REQUIRED' && (await confirmFirst(reply, auth))) return reply;
        return showPhonePage(request, reply, auth, {
          error: ERROR_CODES[result.code].message,
          typed: phone.slice(0, 64),
          status: ERROR_CODES[result.code].status,
          retryAfterSeconds: result.retryAfterSeconds,
        });
      }
      return reply.redirect('/account/phone/verify', 303);
    },
  );

  app.get('/account/phone/verify', async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    return sendPage(
      reply,
      phoneVerifyPage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, pending: await phones.pending(auth.user.id) }),
    );
  });

  app.post('/account/phone/verify', { schema: { body: strictObject({ _csrf: Csrf, code: Code }) } }, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const result = await phones.verify(auth, (request.body as { code: string }).code, requestContext(request));
    if (!result.ok) {
      const error = errorOf(result.code);
      const page = phoneVerifyPage({
        csrf: kit.csrf.tokenFor(request, reply),
        user: auth.user,
        pending: await phones.pending(auth.user.id),
        error: error.message,
      });
      return sendPage(reply, page, ERROR_CODES[error.code].status);
    }
    return reply.redirect('/account/phone?notice=added', 303);
  });

  app.post(
    '/account/phone/remove',
    { schema: { body: strictObject({ _csrf: Csrf, username: OptionalUsername, password: Type.Optional(FormPassword) }) } },
    async (request, reply) => {
      const auth = pageAuth(request, reply);
      if (!auth) return reply;
      const result = await phones.remove(auth, (request.body as { password?: string }).password || undefined, requestContext(request));
      if (!result.ok) {
        if (result.code === 'REAUTH_REQUIRED' && (await confirmFirst(reply, auth))) return reply;
        return showPhonePage(request, reply, auth, {
          error: ERROR_CODES[result.code].message,
          status: ERROR_CODES[result.code].status,
          retryAfterSeconds: result.retryAfterSeconds,
        });
      }
      return reply.redirect('/account/phone?notice=removed', 303);
    },
  );
}
