import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type FormPage, formRoute, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { Csrf, Email, strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { errorMessage } from '../../kernel/errors.ts';
import { errorsForCode, type FormErrors, hasErrors } from '../../views/forms.ts';
import { forgotUsernamePage, usernameSentMessage } from './views.ts';

/** "Forgot username" (only when USERNAMES is not off): one generic answer for every address. */
export async function usernameRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { usernameReminder, config } = kit.deps;
  if (config.account.usernames === 'off') return;

  app.post('/api/username/forgot', { schema: { body: strictObject({ email: Email }) } }, async (request, reply) => {
    const result = await usernameReminder.requestReminder((request.body as { email: string }).email, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code);
    return reply.status(202).send({ message: usernameSentMessage() });
  });

  app.get('/forgot-username', async (request, reply) => sendPage(reply, forgotUsernamePage({ csrf: kit.csrf.tokenFor(request, reply) })));

  const form: FormPage = {
    body: strictObject({ _csrf: Csrf, email: Type.String({ minLength: 1, maxLength: 1024 }) }),
    names: { email: () => t('username.field.email') },
    check: (values): FormErrors => (values.email && !parseEmailAddress(values.email) ? { email: errorMessage('EMAIL_INVALID') } : {}),
    render: (request, reply, { values, errors }) =>
      forgotUsernamePage({ csrf: kit.csrf.tokenFor(request, reply), email: values.email, errors }),
  };

  // The same answer for every well-formed address (S7); the address stays in the field.
  app.post('/forgot-username', formRoute(form), async (request, reply) => {
    const { email } = request.body as { email: string };
    const problems = form.check?.({ email }) ?? {};
    if (hasErrors(problems)) return sendFormAgain(request, reply, form, problems);
    const result = await usernameReminder.requestReminder(email, requestContext(request));
    if (!result.ok) return sendFormAgain(request, reply, form, errorsForCode(result.code, undefined, ['email']));
    return sendPage(reply, forgotUsernamePage({ csrf: kit.csrf.tokenFor(request, reply), info: usernameSentMessage() }));
  });
}
