import { withReturnTo } from '../../flows/return-to.ts';
import { formatDuration, greeting, link, mail } from './layout.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

type PasswordlessMail = Extract<MailMessage, { template: 'login-link' }>;

/**
 * The passwordless sign-in mail: one link (`${PUBLIC_URL}/login/link/<token>`, built from
 * PUBLIC_URL only, S9) and one 8-digit code for the same sign-in, with their common lifetime.
 * Using either cancels the other.
 */
export function renderPasswordlessMail(message: PasswordlessMail, context: MailContext): RenderedMail {
  const { data } = message;
  return mail(context, `Sign in to ${context.productName}`, [
    greeting(data.name),
    'Someone (hopefully you) asked to sign in to your account with this email address. Use this link to sign in:',
    { label: 'Sign in', url: link(context, withReturnTo(`/login/link/${data.token}`, data.returnTo)) },
    `Or enter this code on the sign-in page. Your code is: ${data.code}`,
    `The link and the code expire in ${formatDuration(data.expiresInSeconds)} and work once; using one cancels the other.`,
    'If you did not ask for this, ignore this email: nobody can sign in with it but the reader of this mailbox.',
  ]);
}
