import { withReturnTo } from '../../flows/return-to.ts';
import { t } from '../../i18n/index.ts';
import { button, formatDuration, greeting, link, mail } from './layout.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

type PasswordlessMail = Extract<MailMessage, { template: 'login-link' }>;

/**
 * The passwordless sign-in mail: one link (`${PUBLIC_URL}/login/link/<token>`, built from
 * PUBLIC_URL only, S9) and one 8-digit code for the same sign-in, with their common lifetime.
 * Using either cancels the other.
 */
export function renderPasswordlessMail(message: PasswordlessMail, context: MailContext): RenderedMail {
  const { data } = message;
  return mail(context, t('mail.loginLink.subject', { product: context.productName }), [
    greeting(data.name),
    t('mail.loginLink.intro'),
    button('mail.common.signIn', link(context, withReturnTo(`/login/link/${data.token}`, data.returnTo))),
    t('mail.loginLink.code', { code: data.code }),
    t('mail.loginLink.lifetime', { duration: formatDuration(data.expiresInSeconds) }),
    t('mail.loginLink.ignore'),
  ]);
}
