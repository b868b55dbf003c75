import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { publicLink } from '../../config/public-url.ts';
import { type FormPage, formRoute, loadAuth, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendPage } from '../../http/kit.ts';
import { Csrf, Password, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { AppError, ERROR_CODES, type ErrorCode, errorMessage } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { errorsForCode, type FormErrors, formProblem } from '../../views/forms.ts';
import type { Html } from '../../views/html.ts';
import { confirmFirstIfNoPassword } from '../reauth/guard.ts';
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
type CodeBody = { code: string; password?: string };

/**
 * A refusal of the flow as form errors: at the code (CODE_*), at the password (a wrong one, or
 * none while the session is not recent: the form then shows the field), else on the form.
 */
function errorsOf(code: ErrorCode): FormErrors {
  if (code === 'REAUTH_REQUIRED') return { password: errorMessage(code) };
  return errorsForCode(code, errorMessage(code), { code: 'code', password: 'password', current_password: 'password' });
}

/**
 * The `/account/two-factor/...` pages over MfaEnrolService (the JSON side is enrol-routes.ts).
 * Every change needs a recent authentication: the pages ask for the password in the same form
 * once the last entry is older than RECENT_AUTH_TTL; an account without a password is sent to
 * "Confirm it is you" first instead. Bad input (a schema failure, an expired CSRF token, a refused
 * code or password) answers with the same form again, each problem at its field.
 */
export async function mfaEnrolPages(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { mfaEnrol, config, reauth } = kit.deps;
  /** An account without a password whose session is not recent goes to "Confirm it is you" (true: redirected). */
  const confirmFirst = (reply: FastifyReply, auth: ActiveSession, path: string) => confirmFirstIfNoPassword(reauth, auth, reply, path);
  const refusedForReauth = async (reply: FastifyReply, auth: ActiveSession, code: ErrorCode, path: string) =>
    code === 'REAUTH_REQUIRED' && (await confirmFirst(reply, auth, path));

  const pageAuth = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) reply.redirect(`/login?next=${encodeURIComponent(request.url.split('?')[0] ?? '/')}`, 303);
    return request.auth;
  };
  /** The signed-in session of a form answered before its handler ran (a schema or CSRF failure). */
  const formAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    await loadAuth(kit, request);
    return pageAuth(request, reply);
  };
  const retryAfter = (reply: FastifyReply, result: { retryAfterSeconds?: number }) => {
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
  };

  /** The two-step page, with the problems of a change that could not go on. */
  const overviewHtml = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, errors?: FormErrors) => {
    const notice = (request.query as { notice?: string } | undefined)?.notice;
    const noticeKey = notice !== undefined && Object.hasOwn(TWO_FACTOR_NOTICES, notice) ? TWO_FACTOR_NOTICES[notice] : undefined;
    return twoFactorPage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      status: await mfaEnrol.status(auth.user.id),
      recent: mfaEnrol.isRecent(auth),
      info: noticeKey && t(noticeKey),
      errors,
    });
  };
  /** The two-step page with the error of `problem` (answered with its status). */
  const overview = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, problem?: ErrorCode) => {
    const page = await overviewHtml(request, reply, auth, formProblem(problem && errorMessage(problem)));
    return sendPage(reply, page, problem ? ERROR_CODES[problem].status : 200);
  };
  /** The set-up page of the started setup, or the two-step page when none is pending. */
  const setupHtml = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, errors?: FormErrors) => {
    const pending = await mfaEnrol.pendingSetup({ auth }, requestContext(request));
    if (!pending.ok) {
      const problem = pending.code === 'TOTP_SETUP_NOT_STARTED' ? undefined : errorMessage(pending.code);
      return { page: await overviewHtml(request, reply, auth, errors ?? formProblem(problem)), code: pending.code };
    }
    // qrcode is loaded by the first set-up page, not when the service starts.
    const { default: QRCode } = await import('qrcode');
    const qrSvg = await QRCode.toString(pending.value.otpauthUrl, { type: 'svg', width: 200, margin: 2, errorCorrectionLevel: 'M' });
    const page = setupPage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      qrSvg,
      secret: pending.value.secret,
      recent: mfaEnrol.isRecent(auth),
      errors,
    });
    return { page, code: undefined };
  };
  const regenerateHtml = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, errors?: FormErrors) =>
    regeneratePage({
      csrf: kit.csrf.tokenFor(request, reply),
      user: auth.user,
      recent: mfaEnrol.isRecent(auth),
      left: (await mfaEnrol.status(auth.user.id)).recoveryCodesLeft,
      errors,
    });
  const disableHtml = (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, errors?: FormErrors) =>
    disablePage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, recent: mfaEnrol.isRecent(auth), errors });

  /** A form's page again for bad input, signed in (else to sign in). */
  const form = (body: FormPage['body'], render: (r: FastifyRequest, p: FastifyReply, a: ActiveSession, e: FormErrors) => Promise<Html>) => {
    const page: FormPage = {
      body,
      names: { code: () => t('mfa.field.code'), password: () => t('mfa.field.password') },
      render: async (request, reply, { errors }) => {
        const auth = await formAuth(request, reply);
        return auth && render(request, reply, auth, errors);
      },
    };
    return page;
  };
  /** A refusal of the flow as the form again: the problem at its field, with the code's status. */
  const refused = (request: FastifyRequest, reply: FastifyReply, page: FormPage, code: ErrorCode) =>
    sendFormAgain(request, reply, page, errorsOf(code), ERROR_CODES[code].status);

  app.get(PAGE, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, PAGE)) return reply;
    return overview(request, reply, auth);
  });

  const startForm = form(strictObject({ _csrf: Csrf, password: OptionalPassword }), overviewHtml);
  app.post(`${PAGE}/setup`, formRoute(startForm), async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const result = await mfaEnrol.startSetup({ auth, password: (request.body as PasswordBody).password }, requestContext(request));
    if (!result.ok) {
      if (await refusedForReauth(reply, auth, result.code, PAGE)) return reply;
      retryAfter(reply, result);
      return refused(request, reply, startForm, result.code);
    }
    // The secret is shown by the GET below (post, redirect, get): a reload never makes a new one.
    return reply.redirect(`${PAGE}/setup`, 303);
  });

  app.get(`${PAGE}/setup`, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, `${PAGE}/setup`)) return reply;
    const { page, code } = await setupHtml(request, reply, auth);
    return sendPage(reply, page, code && code !== 'TOTP_SETUP_NOT_STARTED' ? ERROR_CODES[code].status : 200);
  });

  const confirmForm = form(strictObject({ _csrf: Csrf, code: Code, password: OptionalPassword }), async (request, reply, auth, errors) => {
    return (await setupHtml(request, reply, auth, errors)).page;
  });
  app.post(`${PAGE}/confirm`, formRoute(confirmForm), async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const { code, password } = request.body as CodeBody;
    const context = requestContext(request);
    const identity = await mfaEnrol.authenticate({ auth, password }, context);
    if (!identity.ok) {
      if (await refusedForReauth(reply, auth, identity.code, `${PAGE}/setup`)) return reply;
      retryAfter(reply, identity);
      return refused(request, reply, confirmForm, identity.code);
    }
    const result = await mfaEnrol.confirm({ auth: identity.value }, code, context);
    if (!result.ok) {
      retryAfter(reply, result);
      if (result.code === 'CODE_INVALID' || result.code === 'RATE_LIMITED') {
        const { page } = await setupHtml(request, reply, identity.value, errorsOf(result.code));
        return sendPage(reply, page, ERROR_CODES[result.code].status);
      }
      return overview(request, reply, identity.value, result.code);
    }
    const codes = result.value.recoveryCodes;
    return sendPage(reply, recoveryCodesPage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, codes, enabled: true }));
  });

  app.get(`${PAGE}/recovery-codes`, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, `${PAGE}/recovery-codes`)) return reply;
    if (!(await mfaEnrol.status(auth.user.id)).totp) return overview(request, reply, auth, 'TOTP_NOT_ENABLED');
    return sendPage(reply, await regenerateHtml(request, reply, auth));
  });

  const regenerateForm = form(strictObject({ _csrf: Csrf, password: OptionalPassword }), regenerateHtml);
  app.post(`${PAGE}/recovery-codes`, formRoute(regenerateForm), async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    const password = (request.body as PasswordBody).password;
    const result = await mfaEnrol.regenerateRecoveryCodes({ auth, password }, requestContext(request));
    if (!result.ok) {
      if (await refusedForReauth(reply, auth, result.code, `${PAGE}/recovery-codes`)) return reply;
      retryAfter(reply, result);
      if (result.code === 'TOTP_NOT_ENABLED') return overview(request, reply, auth, result.code);
      return refused(request, reply, regenerateForm, result.code);
    }
    const codes = result.value.recoveryCodes;
    return sendPage(reply, recoveryCodesPage({ csrf: kit.csrf.tokenFor(request, reply), user: auth.user, codes, enabled: false }));
  });

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
      throw new AppError('VALIDATION_FAILED', t('mfa.codes.notCodes'));
    }
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${DOWNLOAD_NAME}"`)
      .send(
        recoveryCodesText({
          codes,
          email: auth.user.email,
          productName: config.brand.name,
          signInUrl: publicLink(config.publicUrl, '/login'),
        }),
      );
  });

  app.get(`${PAGE}/disable`, async (request, reply) => {
    const auth = pageAuth(request, reply);
    if (!auth) return reply;
    if (await confirmFirst(reply, auth, `${PAGE}/disable`)) return reply;
    if (!(await mfaEnrol.status(auth.user.id)).totp) return overview(request, reply, auth, 'TOTP_NOT_ENABLED');
    return sendPage(reply, await disableHtml(request, reply, auth));
  });

  const disableForm = form(strictObject({ _csrf: Csrf, code: Code, password: OptionalPassword }), async (request, reply, auth, errors) =>
    disableHtml(request, reply, auth, errors),
  );
  app.post(`${PAGE}/disable`, formRoute(disableForm), async (request, reply) => {
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
      // A wrong password may have been entered with a stale session: the form asks for it again.
      if (identity.ok) request.auth = identity.value;
      return refused(request, reply, disableForm, result.code);
    }
    return reply.redirect(`${PAGE}?notice=off`, 303);
  });
}
