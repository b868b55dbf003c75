import { withReturnTo } from '../../flows/return-to.ts';
import { defaultLocale, t, withLocale } from '../../i18n/index.ts';
import { renderAccountMail } from './account-mails.ts';
import { activityLink, button, formatDuration, formatWhen, greeting, link, mail } from './layout.ts';
import { renderPasswordlessMail } from './passwordless-mails.ts';
import { renderReauthMail } from './reauth-mails.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

/** Renders any mail message in its recipient's language (the message's locale, else DEFAULT_LOCALE). */
export function renderMail(message: MailMessage, context: MailContext): RenderedMail {
  return withLocale(message.locale ?? defaultLocale(), () => renderTemplate(message, context));
}

/** The switch is exhaustive, so a new template must be written here. */
function renderTemplate(message: MailMessage, context: MailContext): RenderedMail {
  const product = context.productName;
  switch (message.template) {
    case 'account-invite':
      return inviteMail(message.data, context);
    case 'password-reset':
      if (message.data.invited) return inviteMail(message.data, context);
      return mail(context, t('mail.passwordReset.subject'), [
        greeting(message.data.name),
        t('mail.passwordReset.intro'),
        button('mail.common.resetPassword', link(context, withReturnTo(`/reset-password/${message.data.token}`, message.data.returnTo))),
        t('mail.common.linkExpires', { duration: formatDuration(message.data.expiresInSeconds) }),
        t('mail.common.ignorePasswordStays'),
      ]);
    case 'password-changed':
      return mail(context, t('mail.passwordChanged.subject'), [
        greeting(message.data.name),
        t('mail.passwordChanged.body', { when: formatWhen(message.data.changedAtMs) }),
        t('mail.common.wasYou'),
        t('mail.passwordChanged.notYou'),
        button('mail.common.resetPassword', link(context, '/forgot-password')),
        activityLink(context),
      ]);
    case 'welcome':
      return mail(context, t('mail.welcome.subject', { product }), [
        greeting(message.data.name),
        t('mail.welcome.body'),
        button('mail.common.signIn', link(context, withReturnTo('/login', message.data.returnTo))),
        t('mail.welcome.ignore'),
      ]);
    case 'account-exists':
      return mail(context, t('mail.accountExists.subject'), [
        greeting(message.data.name),
        message.data.reason === 'email-change' ? t('mail.accountExists.emailChange') : t('mail.accountExists.register'),
        button('mail.common.signIn', link(context, withReturnTo('/login', message.data.returnTo))),
        t('mail.accountExists.forgot'),
        button('mail.common.resetPassword', link(context, withReturnTo('/forgot-password', message.data.returnTo))),
        t('mail.accountExists.ignore'),
      ]);
    case 'password-set':
    case 'reauth-code':
      return renderReauthMail(message, context);
    case 'login-link':
      return renderPasswordlessMail(message, context);
    default:
      return renderAccountMail(message, context);
  }
}

/** The invitation of an account an administrator created: choose a password, its own lifetime. */
function inviteMail(data: { name: string | null; token: string; expiresInSeconds: number }, context: MailContext): RenderedMail {
  const product = context.productName;
  return mail(context, t('mail.invite.subject', { product }), [
    greeting(data.name),
    t('mail.invite.body', { product }),
    button('mail.invite.choosePassword', link(context, `/reset-password/${data.token}`)),
    t('mail.invite.lifetime', { duration: formatDuration(data.expiresInSeconds) }),
    t('mail.invite.ignore'),
  ]);
}
