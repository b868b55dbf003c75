import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { publicLink } from '../../config/public-url.ts';
import { PRODUCT_NAME } from '../../deps/mfa.ts';
import { type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { Csrf, Password, strictObject } from '../../http/schemas.ts';
import { AppError, ERROR_CODES, type ErrorCode } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { confirmFirstIfNoPassword, REAUTH_WITHOUT_PASSWORD_MESSAGE } from '../reauth/guard.ts';
import type { EnrolProblem } from './enrol-service.ts';
import {
  disablePage,
  recoveryCodesPage,
  recoveryCodesText,
  regeneratePage,
  setupPage,
  TWO_FACTOR_NOTICES,
  twoFactorPage,
} from './enrol-views.ts';

/** A code from the app (6 digits, spaces allowed) or a recovery code (xxxx-xxxx-xxxx); the flow checks the shape. */
const Code = Type.String({ minLength: 1, maxLength: 64 });
const OptionalPassword = Type.Optional(Password);
/** What the codes page posts back for the download: ten codes separated by spaces. */
const CodesField = Type.String({ minLength: 1, maxLength: 200 });
const RECOVERY_CODE_SHAPE = /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/;
const DOWNLOAD_NAME = 'latchkey-recovery-codes.txt';
const PAGE = '/account/two-factor';

type PasswordBody = { password?: string };

/** Lets a JSON call without a body through as `{}` (its fields are all optional), still validated when it has one. */
const bodyIsOptional = async (request: FastifyRequest) => {
  if (request.body === undefined || request.body === null) request.body = {};
};
type CodeBody = { code: string; password?: string };

/**
 * Two-step sign-in settings: `/api/mfa/...` (JSON) and `/account/two-factor/...` (pages), thin
 * over MfaEnrolService. Every change needs a recent authentication: the API answers
 * REAUTH_REQUIRED (then `POST /api/reauthenticate`, or `password` in the body), the pages ask for
 * the password in the same form once the last entry is older than RECENT_AUTH_TTL. An account
 * without a password has none to type: its pages send it to "Confirm it is you" first instead.
 */
export async function mfaEnrolRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { mfaEnrol, config, reauth } = kit.deps;
  /** An account without a password whose session is not recent goes to "Confirm it is you" (true: redirected). */
  const confirmFirst = (reply: FastifyReply, auth: ActiveSession, path: string) => confirmFirstIfNoPassword(reauth, auth, reply, path);
  const refusedForReauth = async (reply: FastifyReply, auth: ActiveSession, code: ErrorCode, path: string) =>
    code === 'REAUTH_REQUIRED' && (await confirmFirst(reply, auth, path));

  const apiAuth = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) sendApiError(reply, 'NOT_AUTHENTICATED');
    return request.auth;
  };
  const pageAuth = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) reply.redirect(`/login?next=${encodeURIComponent(request.url.split('?')[0] ?? '/')}`, 303);
    return request.auth;
  };
  const apiError = async (reply: FastifyReply, result: { code: EnrolProblem; retryAfterSeconds?: number }) => {
    const auth = reply.request.auth;
    const message =
      result.code === 'REAUTH_REQUIRED' && auth && !(await reauth.hasPassword(auth.user.id)) ? REAUTH_WITHOUT_PASSWORD_MESSAGE : undefined;
    return sendApiError(reply, result.code, message, result.retryAfterSeconds);
  };

  // --- JSON API -----------------------------------------------------------------------------
  app.get('/api/mfa', async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    return reply.send(await mfaEnrol.status(auth.user.id));
  });

  app.post(
    '/api/mfa/totp/setup',
    { preValidation: bodyIsOptional, schema: { body: strictObject({ password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { password } = request.body as PasswordBody;
      const result = await mfaEnrol.startSetup({ auth, password }, requestContext(request));
      if (!result.ok) return apiError(reply, result);
      return reply.send({ secret: result.value.secret, otpauthUrl: result.value.otpauthUrl });
    },
  );

  app.post(
    '/api/mfa/totp/confirm',
    { schema: { body: strictObject({ code: Code, password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { code, password } = request.body as CodeBody;
      const result = await mfaEnrol.confirm({ auth, password }, code, requestContext(request));
      if (!result.ok) return apiError(reply, result);
      return reply.send({ recoveryCodes: result.value.recoveryCodes });
    },
  );

  app.post(
    '/api/mfa/recovery-codes',
    { preValidation: bodyIsOptional, schema: { body: strictObject({ password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { password } = request.body as PasswordBody;
      const result = await mfaEnrol.regenerateRecoveryCodes({ auth, password }, requestContext(request));
      if (!result.ok) return apiError(reply, result);
      return reply.send({ recoveryCodes: result.value.recoveryCodes });
    },
  );

  app.delete('/api/mfa/totp', { schema: { body: strictObject({ code: Code, password: OptionalPassword }) } }, async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    const { code, password } = request.body as CodeBody;
    const result = await mfaEnrol.disable({ auth, password }, code, requestContext(request));
    if (!result.ok) return apiError(reply, result);
    return reply.status(204).send();
  });

  // --- Pages --------------------------------------------------------------------------------
  /** The two-step page, with an error from a change that could not go on (status of its code). */
  const overview = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, problem?: ErrorCode) => {
    const notice = (request.query as { notice?: string } | undefined)?.notice;
    const page = twoFactorPage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      status: await mfaEnrol.status(auth.user.id),
      recent: mfaEnrol.isRecent(auth),
      info: notice !== undefined && Object.hasOwn(TWO_FACTOR_NOTICES, notice) ? TWO_FACTOR_NOTICES[notice] : undefined,
      error: problem && ERROR_CODES[problem].message,
    });
    return sendPage(reply, page, problem ? ERROR_CODES[problem].status : 200);
  };
  const retryAfter = (reply: FastifyReply, result: { retryAfterSeconds?: number }) => {
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
  };

  app.get(PAGE, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, PAGE)) return reply;
    return overview(request, reply, auth);
  });

  app.post(`${PAGE}/setup`, { schema: { body: strictObject({ _csrf: Csrf, password: OptionalPassword }) } }, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const result = await mfaEnrol.startSetup({ auth, password: (request.body as PasswordBody).password }, requestContext(request));
    if (!result.ok) {
      if (await refusedForReauth(reply, auth, result.code, PAGE)) return reply;
      retryAfter(reply, result);
      return overview(request, reply, auth, result.code);
    }
    // The secret is shown by the GET below (post, redirect, get): a reload never makes a new one.
    return reply.redirect(`${PAGE}/setup`, 303);
  });

  /** The set-up page of the started setup, with an error from a refused code. */
  const setup = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, problem?: ErrorCode) => {
    const pending = await mfaEnrol.pendingSetup({ auth }, requestContext(request));
    if (!pending.ok) return overview(request, reply, auth, pending.code === 'TOTP_SETUP_NOT_STARTED' ? undefined : pending.code);
    const qrSvg = await QRCode.toString(pending.value.otpauthUrl, { type: 'svg', width: 200, margin: 2, errorCorrectionLevel: 'M' });
    const page = setupPage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      qrSvg,
      secret: pending.value.secret,
      recent: mfaEnrol.isRecent(auth),
      error: problem && ERROR_CODES[problem].message,
    });
    return sendPage(reply, page, problem ? ERROR_CODES[problem].status : 200);
  };

  app.get(`${PAGE}/setup`, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, `${PAGE}/setup`)) return reply;
    return setup(request, reply, auth);
  });

  app.post(
    `${PAGE}/confirm`,
    { schema: { body: strictObject({ _csrf: Csrf, code: Code, password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = pageAuth(request, reply);
      if (!auth) return reply;
      const { code, password } = request.body as CodeBody;
      const context = requestContext(request);
      const identity = await mfaEnrol.authenticate({ auth, password }, context);
      if (!identity.ok) {
        if (await refusedForReauth(reply, auth, identity.code, `${PAGE}/setup`)) return reply;
        retryAfter(reply, identity);
        return overview(request, reply, auth, identity.code);
      }
      const result = await mfaEnrol.confirm({ auth: identity.value }, code, context);
      if (!result.ok) {
        retryAfter(reply, result);
        if (result.code === 'CODE_INVALID' || result.code === 'RATE_LIMITED') return setup(request, reply, identity.value, result.code);
        return overview(request, reply, identity.value, result.code);
      }
      const codes = result.value.recoveryCodes;
      return sendPage(reply, recoveryCodesPage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, codes, enabled: true }));
    },
  );

  app.get(`${PAGE}/recovery-codes`, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, `${PAGE}/recovery-codes`)) return reply;
    const status = await mfaEnrol.status(auth.user.id);
    if (!status.totp) return overview(request, reply, auth, 'TOTP_NOT_ENABLED');
    const page = regeneratePage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      recent: mfaEnrol.isRecent(auth),
      left: status.recoveryCodesLeft,
    });
    return sendPage(reply, page);
  });

  app.post(
    `${PAGE}/recovery-codes`,
    { schema: { body: strictObject({ _csrf: Csrf, password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = pageAuth(request, reply);
      if (!auth) return reply;
      const password = (request.body as PasswordBody).password;
      const result = await mfaEnrol.regenerateRecoveryCodes({ auth, password }, requestContext(request));
      if (!result.ok) {
        if (await refusedForReauth(reply, auth, result.code, `${PAGE}/recovery-codes`)) return reply;
        retryAfter(reply, result);
        if (result.code === 'TOTP_NOT_ENABLED') return overview(request, reply, auth, result.code);
        const status = await mfaEnrol.status(auth.user.id);
        const page = regeneratePage({
          csrf: kit.csrf.tokenFor(request, reply),
          user: auth.user,
          recent: mfaEnrol.isRecent(auth),
          left: status.recoveryCodesLeft,
          error: ERROR_CODES[result.code].message,
        });
        return sendPage(reply, page, ERROR_CODES[result.code].status);
      }
      const codes = result.value.recoveryCodes;
      return sendPage(reply, recoveryCodesPage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, codes, enabled: false }));
    },
  );

  /**
   * The download of the codes page: it posts back the codes it shows, and they come back as a
   * text file. The server keeps no copy to serve (only digests), so the codes are still shown
   * once; only code-shaped values are accepted, so this answers nothing else.
   */
  app.post(`${PAGE}/recovery-codes.txt`, { schema: { body: strictObject({ _csrf: Csrf, codes: CodesField }) } }, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const codes = (request.body as { codes: string }).codes.trim().split(/\s+/);
    if (codes.length > 10 || !codes.every((code) => RECOVERY_CODE_SHAPE.test(code))) {
      throw new AppError('VALIDATION_FAILED', 'The field "codes" must hold recovery codes.');
    }
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${DOWNLOAD_NAME}"`)
      .send(
        recoveryCodesText({ codes, email: auth.user.email, productName: PRODUCT_NAME, signInUrl: publicLink(config.publicUrl, '/login') }),
      );
  });

  app.get(`${PAGE}/disable`, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, `${PAGE}/disable`)) return reply;
    if (!(await mfaEnrol.status(auth.user.id)).totp) return overview(request, reply, auth, 'TOTP_NOT_ENABLED');
    return sendPage(reply, disablePage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, recent: mfaEnrol.isRecent(auth) }));
  });

  app.post(
    `${PAGE}/disable`,
    { schema: { body: strictObject({ _csrf: Csrf, code: Code, password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = pageAuth(request, reply);
      if (!auth) return reply;
      const { code, password } = request.body as CodeBody;
      const context = requestContext(request);
      const identity = await mfaEnrol.authenticate({ auth, password }, context);
      const result = identity.ok ? await mfaEnrol.disable({ auth: identity.value }, code, context) : identity;
      if (!result.ok) {
        if (await refusedForReauth(reply, auth, result.code, `${PAGE}/disable`)) return reply;
        retryAfter(reply, result);
        if (result.code === 'TOTP_NOT_ENABLED') return overview(request, reply, auth, result.code);
        const page = disablePage({
          csrf: kit.csrf.tokenFor(request, reply),
          user: auth.user,
          recent: mfaEnrol.isRecent(identity.ok ? identity.value : auth),
          error: ERROR_CODES[result.code].message,
        });
        return sendPage(reply, page, ERROR_CODES[result.code].status);
      }
      return reply.redirect(`${PAGE}?notice=off`, 303);
    },
  );
}
