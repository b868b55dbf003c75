import { t } from '../../i18n/index.ts';
import { activityLink, button, formatDuration, formatWhen, greeting, link, mail } from './layout.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

type ReauthMail = Extract<MailMessage, { template: 'password-set' | 'reauth-code' }>;

/** Mails of accounts without a password: the "confirm it is you" code, and the notice that a password was set. */
export function renderReauthMail(message: ReauthMail, context: MailContext): RenderedMail {
  switch (message.template) {
    case 'reauth-code':
      // The code only: no link, so a forwarded or scanned mail confirms nothing by itself.
      return mail(context, t('mail.reauthCode.subject', { product: context.productName }), [
        greeting(message.data.name),
        t('mail.reauthCode.body', { code: message.data.code }),
        t('mail.reauthCode.lifetime', { duration: formatDuration(message.data.expiresInSeconds) }),
        t('mail.reauthCode.notYou'),
        button('mail.reauthCode.sessions', link(context, '/account/sessions')),
      ]);
    case 'password-set':
      return mail(context, t('mail.passwordSet.subject'), [
        greeting(message.data.name),
        t('mail.passwordSet.body', { when: formatWhen(message.data.setAtMs) }),
        t('mail.common.wasYou'),
        t('mail.passwordSet.notYou'),
        button('mail.common.resetPassword', link(context, '/forgot-password')),
        activityLink(context),
      ]);
  }
}
