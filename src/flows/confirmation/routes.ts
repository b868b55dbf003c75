import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type FormPage, formRoute, sendFormAgain } from '../../http/form-pages.ts';
import { clearSessionCookie, type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { registerLinkLanding } from '../../http/link-landing.ts';
import { Csrf, Email, strictObject, Token } from '../../http/schemas.ts';
import { t, th } from '../../i18n/index.ts';
import { parseEmailAddress } from '../../kernel/email-address.ts';
import { errorMessage } from '../../kernel/errors.ts';
import { errorsForCode, type FormErrors, hasErrors } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { redirectToInbox } from '../inbox/routes.ts';
import { withReturnTo } from '../return-to.ts';
import { resendConfirmationPage, resendSentMessage } from './views.ts';

/** Email confirmation: the emailed link's landing, "send it again", and the JSON API. */
export async function confirmationRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { confirmation } = kit.deps;
  if (!confirmation.enabled) return;

  app.post('/api/confirm', { schema: { body: strictObject({ token: Token }) } }, async (request, reply) => {
    const { token } = request.body as { token: string };
    const result = await confirmation.confirm(token, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    return reply.send({ message: t('confirmation.api.confirmed') });
  });

  app.post('/api/confirm/resend', { schema: { body: strictObject({ email: Email }) } }, async (request, reply) => {
    const { email } = request.body as { email: string };
    const result = await confirmation.requestResend(email, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code);
    return reply.status(202).send({ message: resendSentMessage() });
  });

  app.get('/confirm/resend', async (request, reply) =>
    sendPage(reply, resendConfirmationPage({ csrf: kit.csrf.tokenFor(request, reply) })),
  );

  const resendForm: FormPage = {
    body: strictObject({ _csrf: Csrf, email: Type.String({ minLength: 1, maxLength: 1024 }) }),
    names: { email: () => t('confirmation.field.email') },
    check: (values): FormErrors => (values.email && !parseEmailAddress(values.email) ? { email: errorMessage('EMAIL_INVALID') } : {}),
    render: (request, reply, { values, errors }) =>
      resendConfirmationPage({ csrf: kit.csrf.tokenFor(request, reply), email: values.email, errors }),
  };

  // "Check your inbox" next, naming the typed address: the same for every address (S7).
  app.post('/confirm/resend', formRoute(resendForm), async (request, reply) => {
    const { email } = request.body as { email: string };
    const problems = resendForm.check?.({ email }) ?? {};
    if (hasErrors(problems)) return sendFormAgain(request, reply, resendForm, problems);
    const result = await confirmation.requestResend(email, requestContext(request));
    if (!result.ok) return sendFormAgain(request, reply, resendForm, errorsForCode(result.code, undefined, ['email']));
    return redirectToInbox(kit, reply, { email, reason: 'resend' });
  });

  registerLinkLanding(app, kit, {
    path: '/confirm-email',
    cookie: 'lk_confirm',
    title: () => t('confirmation.landing.title'),
    intro: () => t('confirmation.landing.intro'),
    button: () => t('confirmation.landing.button'),
    retry: { href: '/confirm/resend', label: () => t('confirmation.landing.retry') },
    check: (token, context) => confirmation.check(token, context),
    about: async (link) => {
      const user = await kit.deps.store.users.findById(link.user_id);
      return user ? th('confirmation.landing.about', { email: user.email, b: (chunks) => html`<strong>${chunks}</strong>` }) : undefined;
    },
    redeem: (token, context) => confirmation.confirm(token, context),
    // Confirming ended every session of that account, so its owner signs in again; someone
    // signed in to another account stays signed in.
    done: (request, reply, { userId }, returnTo) => {
      if (request.auth && request.auth.user.id !== userId) return reply.redirect(returnTo ?? '/?notice=email-confirmed', 303);
      if (request.auth) clearSessionCookie(kit, reply);
      return reply.redirect(withReturnTo('/login?notice=email-confirmed', returnTo), 303);
    },
  });
}
