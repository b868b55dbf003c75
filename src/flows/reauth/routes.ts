import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormPage, formRoute, loadAuth, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { safeRedirectPath } from '../../http/redirects.ts';
import { Csrf, Password, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { AppError, ERROR_CODES, type ErrorCode, errorMessage } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { errorsForCode, FORM_PROBLEM, type FormErrors } from '../../views/forms.ts';
import { RETURN_TO_MAX_LENGTH } from '../return-to.ts';
import { confirmPath } from './guard.ts';
import { confirmPage } from './views.ts';

const Code = Type.String({ minLength: 1, maxLength: 32 });
const Next = Type.String({ maxLength: RETURN_TO_MAX_LENGTH });

/** CODE_SPENT answers as CODE_INVALID, saying a new code is needed. */
const errorOf = (code: ErrorCode | 'CODE_SPENT'): { code: ErrorCode; message: string } =>
  code === 'CODE_SPENT' ? { code: 'CODE_INVALID', message: t('reauth.codeSpent') } : { code, message: errorMessage(code) };

/** Lets a JSON call without a body through as `{}`, still validated when it has one. */
const bodyIsOptional = async (request: FastifyRequest) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

/** Problems with the hidden fields (`next`, `username`) are the form's: the page shows no such field. */
function shownFields(errors: FormErrors, shown: readonly string[]): FormErrors {
  const out: Record<string, string> = {};
  for (const [name, message] of Object.entries(errors)) {
    const at = name === FORM_PROBLEM || shown.includes(name) ? name : FORM_PROBLEM;
    if (!(at in out)) out[at] = message;
  }
  return out;
}

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
        throw new AppError('VALIDATION_FAILED', t('reauth.apiEither'));
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
    return reply.status(202).send({ message: t('reauth.apiCodeSent'), expiresInSeconds: result.value.expiresInSeconds });
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
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    auth: ActiveSession,
    o: { next: string; codeSent?: boolean; errors?: FormErrors; info?: string },
  ) =>
    confirmPage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      next: o.next,
      methods: await reauth.methods(auth.user.id),
      codeSent: o.codeSent === true,
      recent: reauth.isRecent(auth),
      errors: o.errors,
      info: o.info,
    });

  /**
   * The three forms of the page. Bad input (a schema failure, an expired CSRF token) or a refused
   * proof answers with the page again, the problem at its field; `next` is kept, never the
   * password or the code.
   */
  const form = (body: FormPage['body'], shown: readonly string[], names: FormPage['names'], codeSent: boolean): FormPage => ({
    body,
    names,
    render: async (request, reply, { values, errors }) => {
      await loadAuth(kit, request);
      // A `next` the schema refused (too long) is not carried on: back to the account page instead.
      const next = nextOf(errors.next === undefined ? values.next : undefined);
      const auth = pageAuth(request, reply, next);
      if (!auth) return undefined;
      return page(request, reply, auth, { next, codeSent, errors: shownFields(errors, shown) });
    },
  });
  const passwordForm = form(
    strictObject({
      _csrf: Csrf,
      next: Type.Optional(Next),
      username: Type.Optional(Type.String({ maxLength: 320 })),
      password: Password,
    }),
    ['password'],
    { password: () => t('reauth.namePassword') },
    false,
  );
  const sendForm = form(strictObject({ _csrf: Csrf, next: Type.Optional(Next) }), [], {}, false);
  const codeBody = strictObject({ _csrf: Csrf, next: Type.Optional(Next), code: Code });
  const codeForm = form(codeBody, ['code'], { code: () => t('reauth.nameCode') }, true);
  /** A spent code needs a new one: no code field until it is sent. */
  const spentCodeForm = form(codeBody, [], { code: () => t('reauth.nameCode') }, false);

  /** A refused proof: the page again with the problem at its field (or of the form), and its status. */
  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    on: FormPage,
    code: ErrorCode | 'CODE_SPENT',
    retryAfterSeconds: number | undefined,
  ) => {
    if (retryAfterSeconds) reply.header('retry-after', String(retryAfterSeconds));
    const error = errorOf(code);
    const errors = errorsForCode(error.code, error.message, { current_password: 'password', code: 'code' });
    return sendFormAgain(request, reply, on, errors, ERROR_CODES[error.code].status);
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
      return sendPage(reply, await page(request, reply, auth, { next, codeSent, info: codeSent ? t('reauth.codeSent') : undefined }));
    },
  );

  app.post('/account/confirm', formRoute(passwordForm), async (request, reply) => {
    const body = request.body as { next?: string; password: string };
    const next = nextOf(body.next);
    const auth = pageAuth(request, reply, next);
    if (!auth) return reply;
    const result = await reauth.withPassword(auth, body.password, requestContext(request));
    if (!result.ok) return refused(request, reply, passwordForm, result.code, result.retryAfterSeconds);
    return reply.redirect(next, 303);
  });

  app.post('/account/confirm/code/send', formRoute(sendForm), async (request, reply) => {
    const next = nextOf((request.body as { next?: string }).next);
    const auth = pageAuth(request, reply, next);
    if (!auth) return reply;
    const result = await reauth.sendCode(auth, requestContext(request));
    if (!result.ok) return refused(request, reply, sendForm, result.code, result.retryAfterSeconds);
    // Post, redirect, get: a reload shows the code form again without sending another code.
    return reply.redirect(`${confirmPath(next)}&sent=1`, 303);
  });

  app.post('/account/confirm/code', formRoute(codeForm), async (request, reply) => {
    const body = request.body as { next?: string; code: string };
    const next = nextOf(body.next);
    const auth = pageAuth(request, reply, next);
    if (!auth) return reply;
    const result = await reauth.withCode(auth, body.code, requestContext(request));
    if (!result.ok) {
      const on = result.code === 'CODE_SPENT' ? spentCodeForm : codeForm;
      return refused(request, reply, on, result.code, result.retryAfterSeconds);
    }
    return reply.redirect(next, 303);
  });
}
