import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { clearSessionCookie, type HttpKit, requestContext, sendApiError, sendPage } from '../../http/kit.ts';
import { registerLinkLanding } from '../../http/link-landing.ts';
import { Csrf, Email, strictObject, Token } from '../../http/schemas.ts';
import { ERROR_CODES } from '../../kernel/errors.ts';
import { withReturnTo } from '../return-to.ts';
import { RESEND_SENT_MESSAGE, resendConfirmationPage } from './views.ts';

/** Email confirmation: the emailed link's landing, "send it again", and the JSON API. */
export async function confirmationRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { confirmation } = kit.deps;
  if (!confirmation.enabled) return;

  app.post('/api/confirm', { schema: { body: strictObject({ token: Token }) } }, async (request, reply) => {
    const { token } = request.body as { token: string };
    const result = await confirmation.confirm(token, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    return reply.send({ message: 'Your email address is confirmed. Sign in to continue.' });
  });

  app.post('/api/confirm/resend', { schema: { body: strictObject({ email: Email }) } }, async (request, reply) => {
    const { email } = request.body as { email: string };
    const result = await confirmation.requestResend(email, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code);
    return reply.status(202).send({ message: RESEND_SENT_MESSAGE });
  });

  app.get('/confirm/resend', async (request, reply) =>
    sendPage(reply, resendConfirmationPage({ csrf: kit.csrf.tokenFor(request, reply) })),
  );

  app.post(
    '/confirm/resend',
    { schema: { body: strictObject({ _csrf: Csrf, email: Type.String({ maxLength: 1024 }) }) } },
    async (request, reply) => {
      const { email } = request.body as { email: string };
      const result = await confirmation.requestResend(email, requestContext(request));
      const csrf = kit.csrf.tokenFor(request, reply);
      if (!result.ok) return sendPage(reply, resendConfirmationPage({ csrf, email, error: ERROR_CODES[result.code].message }), 400);
      return sendPage(reply, resendConfirmationPage({ csrf, info: RESEND_SENT_MESSAGE }));
    },
  );

  registerLinkLanding(app, kit, {
    path: '/confirm-email',
    cookie: 'lk_confirm',
    title: 'Confirm your email address',
    intro: 'Press the button to confirm that this email address is yours.',
    button: 'Confirm',
    retry: { href: '/confirm/resend', label: 'Send a new confirmation link' },
    check: (token, context) => confirmation.check(token, context),
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
