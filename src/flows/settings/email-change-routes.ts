import type { FastifyInstance } from 'fastify';
import { type HttpKit, requestContext, sendApiError } from '../../http/kit.ts';
import { registerLinkLanding } from '../../http/link-landing.ts';
import { strictObject, Token } from '../../http/schemas.ts';
import { html } from '../../views/html.ts';
import { LOGIN_NOTICES } from '../login/views.ts';

/** The two emailed links of an email change: confirm (new address) and undo (old address). */
export async function emailChangeLinkRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { emailChange } = kit.deps;

  app.post('/api/email/change/confirm', { schema: { body: strictObject({ token: Token }) } }, async (request, reply) => {
    const result = await emailChange.confirm((request.body as { token: string }).token, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    return reply.send({ message: 'Your email address has been changed.', email: result.value.email });
  });

  app.post('/api/email/change/undo', { schema: { body: strictObject({ token: Token }) } }, async (request, reply) => {
    const result = await emailChange.undo((request.body as { token: string }).token, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    const { locked } = result.value;
    return reply.send({ message: locked ? LOGIN_NOTICES.locked : LOGIN_NOTICES.secured, locked });
  });

  registerLinkLanding(app, kit, {
    path: '/email-change/confirm',
    cookie: 'lk_email_change',
    title: 'Confirm your new email address',
    intro: 'Press the button to make this the email address of your account.',
    button: 'Confirm new address',
    retry: { href: '/account/email', label: 'Change your email address again' },
    check: (token, context) => emailChange.checkConfirm(token, context),
    about: async (link) => {
      const user = await kit.deps.store.users.findById(link.user_id);
      return link.target_email && user
        ? html`This link changes the email address of your account from <strong>${user.email}</strong> to <strong>${link.target_email}</strong>.`
        : undefined;
    },
    redeem: (token, context) => emailChange.confirm(token, context),
    done: (request, reply) => reply.redirect(request.auth ? '/?notice=email-changed' : '/login?notice=email-changed', 303),
  });

  registerLinkLanding(app, kit, {
    path: '/email-change/undo',
    cookie: 'lk_email_undo',
    title: 'Cancel the email change',
    intro:
      'This puts your previous email address back, signs out every session, turns off the current password and sends you a link to choose a new one. Do it if you did not ask for the change.',
    button: 'Cancel the change and secure my account',
    retry: { href: '/forgot-password', label: 'Reset your password' },
    check: (token, context) => emailChange.checkUndo(token, context),
    about: async (link) => {
      const user = await kit.deps.store.users.findById(link.user_id);
      if (!link.target_email || !user) return undefined;
      return user.email === link.target_email
        ? html`This link is about your address <strong>${link.target_email}</strong>: it cancels the change asked for on your account.`
        : html`This link puts <strong>${link.target_email}</strong> back as your email address, instead of <strong>${user.email}</strong>.`;
    },
    redeem: (token, context) => emailChange.undo(token, context),
    done: (_request, reply, undone) => reply.redirect(`/login?notice=${undone.locked ? 'locked' : 'secured'}`, 303),
  });
}
