import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { safeRedirectPath } from '../../http/redirects.ts';
import { Csrf, Password, strictObject } from '../../http/schemas.ts';
import { AppError, ERROR_CODES, type ErrorCode } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { RETURN_TO_MAX_LENGTH } from '../return-to.ts';
import { confirmPath } from './guard.ts';
import { confirmPage } from './views.ts';

const Code = Type.String({ minLength: 1, maxLength: 32 });
const Next = Type.String({ maxLength: RETURN_TO_MAX_LENGTH });
const CODE_SPENT_MESSAGE = 'Too many wrong codes were entered: this code no longer works. Ask for a new one.';
const CODE_SENT_MESSAGE = 'We sent a code to your email address. Enter it here.';

/** CODE_SPENT answers as CODE_INVALID, saying a new code is needed. */
const errorOf = (code: ErrorCode | 'CODE_SPENT'): { code: ErrorCode; message: string } =>
  code === 'CODE_SPENT' ? { code: 'CODE_INVALID', message: CODE_SPENT_MESSAGE } : { code, message: ERROR_CODES[code].message };

/** Lets a JSON call without a body through as `{}`, still validated when it has one. */
const bodyIsOptional = async (request: FastifyRequest) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

/**
 * "Confirm it is you": `POST /api/reauthenticate` with the password or a mailed code,
 * `POST /api/reauthenticate/code` to mail the code, and the `/account/confirm` page that offers
 * the password (when the account has one), the code and, when the account has passkeys, a passkey.
 * `next` is followed only when it is a plain path on this origin (S11); else the account page.
 */
export async function reauthRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { reauth } = kit.deps;

  const apiAuth = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) sendApiError(reply, 'NOT_AUTHENTICATED');
    return request.auth;
  };

  app.post(
    '/api/reauthenticate',
    { schema: { body: strictObject({ password: Type.Optional(Password), code: Type.Optional(Code) }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { password, code } = request.body as { password?: string; code?: string };
      if ((password === undefined) === (code === undefined)) {
        throw new AppError('VALIDATION_FAILED', 'Send either "password" or "code" (a code from POST /api/reauthenticate/code).');
      }
      const context = requestContext(request);
      const result =
        password !== undefined ? await reauth.withPassword(auth, password, context) : await reauth.withCode(auth, code as string, context);
      if (!result.ok) {
        const error = errorOf(result.code);
        return sendApiError(reply, error.code, error.message, result.retryAfterSeconds);
      }
      return reply.status(204).send();
    },
  );

  app.post('/api/reauthenticate/code', { preValidation: bodyIsOptional, schema: { body: strictObject({}) } }, async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    const result = await reauth.sendCode(auth, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    return reply
      .status(202)
      .send({ message: 'We sent a code to the address of your account.', expiresInSeconds: result.value.expiresInSeconds });
  });

  // --- The page -----------------------------------------------------------------------------
  const nextOf = (value: unknown): string => {
    const next = safeRedirectPath(value, '/');
    // Never back to this page itself (a loop).
    return next.startsWith('/account/confirm') ? '/' : next;
  };
  const pageAuth = (request: FastifyRequest, reply: FastifyReply, next: string): ActiveSession | undefined => {
    if (!request.auth) reply.redirect(`/login?next=${encodeURIComponent(confirmPath(next))}`, 303);
    return request.auth;
  };
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    auth: ActiveSession,
    o: { next: string; codeSent?: boolean; error?: { code: ErrorCode; message: string }; info?: string; retryAfterSeconds?: number },
  ) => {
    if (o.retryAfterSeconds) reply.header('retry-after', String(o.retryAfterSeconds));
    const page = confirmPage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      next: o.next,
      methods: await reauth.methods(auth.user.id),
      codeSent: o.codeSent === true,
      recent: reauth.isRecent(auth),
      error: o.error?.message,
      info: o.info,
    });
    return sendPage(reply, page, o.error ? ERROR_CODES[o.error.code].status : 200);
  };

  app.get(
    '/account/confirm',
    { schema: { querystring: Type.Object({ next: Type.Optional(Next), sent: Type.Optional(Type.Literal('1')) }) } },
    async (request, reply) => {
      const query = request.query as { next?: string; sent?: '1' };
      const next = nextOf(query.next);
      const auth = pageAuth(request, reply, next);
      if (!auth) return reply;
      const codeSent = query.sent === '1';
      return show(request, reply, auth, { next, codeSent, info: codeSent ? CODE_SENT_MESSAGE : undefined });
    },
  );

  app.post(
    '/account/confirm',
    {
      schema: {
        body: strictObject({
          _csrf: Csrf,
          next: Type.Optional(Next),
          username: Type.Optional(Type.String({ maxLength: 320 })),
          password: Password,
        }),
      },
    },
    async (request, reply) => {
      const body = request.body as { next?: string; password: string };
      const next = nextOf(body.next);
      const auth = pageAuth(request, reply, next);
      if (!auth) return reply;
      const result = await reauth.withPassword(auth, body.password, requestContext(request));
      if (!result.ok) return show(request, reply, auth, { next, error: errorOf(result.code), retryAfterSeconds: result.retryAfterSeconds });
      return reply.redirect(next, 303);
    },
  );

  app.post(
    '/account/confirm/code/send',
    { schema: { body: strictObject({ _csrf: Csrf, next: Type.Optional(Next) }) } },
    async (request, reply) => {
      const next = nextOf((request.body as { next?: string }).next);
      const auth = pageAuth(request, reply, next);
      if (!auth) return reply;
      const result = await reauth.sendCode(auth, requestContext(request));
      if (!result.ok) return show(request, reply, auth, { next, error: errorOf(result.code), retryAfterSeconds: result.retryAfterSeconds });
      // Post, redirect, get: a reload shows the code form again without sending another code.
      return reply.redirect(`${confirmPath(next)}&sent=1`, 303);
    },
  );

  app.post(
    '/account/confirm/code',
    { schema: { body: strictObject({ _csrf: Csrf, next: Type.Optional(Next), code: Code }) } },
    async (request, reply) => {
      const body = request.body as { next?: string; code: string };
      const next = nextOf(body.next);
      const auth = pageAuth(request, reply, next);
      if (!auth) return reply;
      const result = await reauth.withCode(auth, body.code, requestContext(request));
      if (!result.ok) {
        return show(request, reply, auth, {
          next,
          codeSent: result.code !== 'CODE_SPENT',
          error: errorOf(result.code),
          retryAfterSeconds: result.retryAfterSeconds,
        });
      }
      return reply.redirect(next, 303);
    },
  );
}
