import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { passwordProblemMessage } from '../../crypto/passwords/policy.ts';
import { type FormPage, formRoute, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { returnToOf } from '../../http/return-to.ts';
import { Csrf, Email, Name, Password, strictObject, Username } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { ERROR_CODES, errorMessage } from '../../kernel/errors.ts';
import { errorsForCode, hasErrors } from '../../views/forms.ts';
import { redirectToInbox } from '../inbox/routes.ts';
import type { RegisterProblem } from './service.ts';
import { registerPage, registerSentMessage } from './views.ts';

export async function registrationRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { registration, config } = kit.deps;
  const passwordOptional = config.account.passwordOptional;
  const confirmation = config.account.confirmEmail !== 'off';
  const policy = {
    minLength: config.passwordMinLength,
    maxLength: config.passwordMaxLength,
    breachCheck: config.breachCheck.enabled,
    usernames: config.account.usernames,
    passwordOptional,
    passwordless: config.account.passwordless === 'on',
    passkeys: config.account.passkeys === 'on',
  };
  // With PASSWORD_OPTIONAL the password may be missing (API) or empty (form); without, a missing
  // one stays a 400 naming the field, from the schema like every other missing field.
  const ApiPassword = passwordOptional ? Type.Optional(Type.String({ maxLength: 4096 })) : Password;
  const FormPassword = passwordOptional ? Type.Optional(Type.String({ maxLength: 4096 })) : Password;
  const messageFor = (code: RegisterProblem): string =>
    code.startsWith('PASSWORD_')
      ? passwordProblemMessage(code as Parameters<typeof passwordProblemMessage>[0], policy)
      : errorMessage(code);

  app.post(
    '/api/register',
    {
      schema: { body: strictObject({ email: Email, password: ApiPassword, name: Type.Optional(Name), username: Type.Optional(Username) }) },
    },
    async (request, reply) => {
      const body = request.body as { email: string; password?: string; name?: string; username?: string };
      const result = await registration.register(body, requestContext(request));
      if (!result.ok) return sendApiError(reply, result.code, messageFor(result.code), result.retryAfterSeconds);
      return reply.status(202).send({ message: registerSentMessage(confirmation) });
    },
  );

  const FormBody = strictObject({
    _csrf: Csrf,
    name: Type.Optional(Name),
    username: Type.Optional(Username),
    email: Type.String({ minLength: 1, maxLength: 1024 }),
    password: FormPassword,
    password_confirm: FormPassword,
  });
  const form: FormPage = {
    body: FormBody,
    names: {
      name: () => t('registration.field.name'),
      username: () => t('registration.field.username'),
      email: () => t('registration.field.email'),
      password: () => t('registration.field.password'),
      password_confirm: () => t('registration.field.passwordConfirm'),
    },
    check: (values) => ({
      ...(values.email && !parseEmailAddress(values.email) ? { email: errorMessage('EMAIL_INVALID') } : {}),
      ...((values.password ?? '') !== (values.password_confirm ?? '') ? { password_confirm: errorMessage('PASSWORD_MISMATCH') } : {}),
    }),
    render: (request, reply, { values, errors }) =>
      registerPage({
        csrf: kit.csrf.tokenFor(request, reply),
        ...policy,
        returnTo: returnToOf(kit, request),
        email: values.email,
        name: values.name,
        username: values.username,
        errors,
      }),
  };

  app.get('/register', async (request, reply) =>
    sendPage(reply, registerPage({ csrf: kit.csrf.tokenFor(request, reply), ...policy, returnTo: returnToOf(kit, request) })),
  );

  app.post('/register', formRoute(form), async (request, reply) => {
    const body = request.body as { email: string; password?: string; password_confirm?: string; name?: string; username?: string };
    const returnTo = returnToOf(kit, request);
    const problems = form.check?.(body) ?? {};
    if (hasErrors(problems)) return sendFormAgain(request, reply, form, problems);
    const result = await registration.register({ ...body, returnTo }, requestContext(request));
    if (!result.ok) {
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      const errors = errorsForCode(result.code, messageFor(result.code), ['name', 'username', 'email', 'password']);
      return sendFormAgain(request, reply, form, errors, ERROR_CODES[result.code].status);
    }
    return redirectToInbox(kit, reply, { email: body.email, reason: 'register', returnTo });
  });
}
