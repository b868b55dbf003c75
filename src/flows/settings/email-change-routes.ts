import type { FastifyInstance } from 'fastify';
import { type HttpKit, requestContext, sendApiError } from '../../http/kit.ts';
import { registerLinkLanding } from '../../http/link-landing.ts';
import { strictObject, Token } from '../../http/schemas.ts';
import { t, th } from '../../i18n/index.ts';
import { LOGIN_NOTICES } from '../login/views.ts';
import { strong } from './views.ts';

/** The two emailed links of an email change: confirm (new address) and undo (old address). */
export async function emailChangeLinkRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { emailChange } = kit.deps;

  app.post('/api/email/change/confirm', { schema: { body: strictObject({ token: Token }) } }, async (request, reply) => {
    const result = await emailChange.confirm((request.body as { token: string }).token, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    return reply.send({ message: t('settings.email.changed'), email: result.value.email });
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
    title: () => t('settings.emailConfirm.title'),
    intro: () => t('settings.emailConfirm.intro'),
    button: () => t('settings.emailConfirm.button'),
    retry: {
      href: '/account/email',
      label: () => t('settings.emailConfirm.retry'),
    },
    check: (token, context) => emailChange.checkConfirm(token, context),
    about: async (link) => {
      const user = await kit.deps.store.users.findById(link.user_id);
      return link.target_email && user
        ? th('settings.emailConfirm.about', { from: user.email, to: link.target_email, b: strong })
        : undefined;
    },
    redeem: (token, context) => emailChange.confirm(token, context),
    done: (request, reply) => reply.redirect(request.auth ? '/?notice=email-changed' : '/login?notice=email-changed', 303),
  });

  registerLinkLanding(app, kit, {
    path: '/email-change/undo',
    cookie: 'lk_email_undo',
    title: () => t('settings.emailUndo.title'),
    intro: () => t('settings.emailUndo.intro'),
    button: () => t('settings.emailUndo.button'),
    retry: {
      href: '/forgot-password',
      label: () => t('settings.emailUndo.retry'),
    },
    check: (token, context) => emailChange.checkUndo(token, context),
    about: async (link) => {
      const user = await kit.deps.store.users.findById(link.user_id);
      if (!link.target_email || !user) return undefined;
      return user.email === link.target_email
        ? th('settings.emailUndo.aboutSame', { email: link.target_email, b: strong })
        : th('settings.emailUndo.aboutOther', { previous: link.target_email, current: user.email, b: strong });
    },
    redeem: (token, context) => emailChange.undo(token, context),
    done: (_request, reply, undone) => reply.redirect(`/login?notice=${undone.locked ? 'locked' : 'secured'}`, 303),
  });
}
