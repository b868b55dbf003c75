import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type FormPage, formRoute, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendPage } from '../../http/kit.ts';
import { ReturnToQuery, returnToOf } from '../../http/return-to.ts';
import { Csrf, Password, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { ERROR_CODES, errorMessage } from '../../kernel/errors.ts';
import type { FormErrors } from '../../views/forms.ts';
import { pageResetDone } from './after-reset.ts';
import { codeSentMessage, resetCodePage } from './code-views.ts';
import type { CodeResetProblem } from './service.ts';

/** A typed code: its shape is checked by the flow (digits, spaces and dashes), so a typo costs an attempt like a wrong code. */
export const ResetCode = Type.String({ minLength: 1, maxLength: 32 });

/**
 * The reset-by-code page (`/reset/code`); the JSON side is `POST /api/password/reset` with
 * `{email, code, password}` (routes.ts). Present only when RECOVERY_METHODS lists `code` or `sms`.
 */
export async function codeRecoveryRoutes(
  app: FastifyInstance,
  kit: HttpKit,
  messageFor: (code: CodeResetProblem) => string,
): Promise<void> {
  const { recovery, config } = kit.deps;
  if (!recovery.acceptsCodes()) return;
  const policy = {
    minLength: config.passwordMinLength,
    maxLength: config.passwordMaxLength,
    breachCheck: config.breachCheck.enabled,
    ttlSeconds: config.codeTtlSeconds,
  };

  app.get(
    '/reset/code',
    { schema: { querystring: Type.Object({ ...ReturnToQuery, email: Type.Optional(Type.String({ maxLength: 320 })) }) } },
    async (request, reply) => {
      const { email } = request.query as { email?: string };
      return sendPage(
        reply,
        resetCodePage({
          csrf: kit.csrf.tokenFor(request, reply),
          ...policy,
          email,
          info: email ? codeSentMessage(config.codeTtlSeconds) : undefined,
          returnTo: returnToOf(kit, request),
        }),
      );
    },
  );

  const codeForm: FormPage = {
    body: strictObject({
      _csrf: Csrf,
      email: Type.String({ minLength: 1, maxLength: 1024 }),
      code: ResetCode,
      password: Password,
      password_confirm: Password,
    }),
    names: {
      email: () => t('recovery.field.email'),
      code: () => t('recovery.field.code'),
      password: () => t('recovery.field.password'),
      password_confirm: () => t('recovery.field.passwordConfirm'),
    },
    check: (values): FormErrors =>
      values.password && values.password_confirm && values.password !== values.password_confirm
        ? { password_confirm: errorMessage('PASSWORD_MISMATCH') }
        : {},
    render: (request, reply, { values, errors }) =>
      resetCodePage({
        csrf: kit.csrf.tokenFor(request, reply),
        ...policy,
        email: values.email,
        returnTo: returnToOf(kit, request),
        errors,
      }),
  };
  app.post('/reset/code', formRoute(codeForm), async (request, reply) => {
    const { email, code, password, password_confirm } = request.body as {
      email: string;
      code: string;
      password: string;
      password_confirm: string;
    };
    const returnTo = returnToOf(kit, request);
    const formAgain = (error: string, status: number) =>
      sendPage(reply, resetCodePage({ csrf: kit.csrf.tokenFor(request, reply), ...policy, email, returnTo, error }), status);
    const problems = codeForm.check?.({ password, password_confirm }) ?? {};
    if (Object.keys(problems).length > 0) return sendFormAgain(request, reply, codeForm, problems);
    const result = await recovery.resetWithCode(email, code, password, requestContext(request));
    if (!result.ok) {
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      return formAgain(messageFor(result.code), ERROR_CODES[result.code].status);
    }
    return pageResetDone(kit, request, reply, result.value.userId, returnTo);
  });
}
