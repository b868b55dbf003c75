import { withReturnTo } from '../../flows/return-to.ts';
import { renderAccountMail } from './account-mails.ts';
import { activityLink, formatDuration, greeting, link, mail } from './layout.ts';
import { renderPasswordlessMail } from './passwordless-mails.ts';
import { renderReauthMail } from './reauth-mails.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

/** Renders any mail message; the switch is exhaustive, so a new template must be written here. */
export function renderMail(message: MailMessage, context: MailContext): RenderedMail {
  switch (message.template) {
    case 'account-invite':
      return inviteMail(message.data, context);
    case 'password-reset':
      if (message.data.invited) return inviteMail(message.data, context);
      return mail(context, 'Reset your password', [
        greeting(message.data.name),
        'Someone (hopefully you) asked to reset the password of your account. Use this link to choose a new password:',
        { label: 'Reset your password', url: link(context, withReturnTo(`/reset-password/${message.data.token}`, message.data.returnTo)) },
        `The link expires in ${formatDuration(message.data.expiresInSeconds)} and works once.`,
        'If you did not ask for this, ignore this email: your password stays as it is.',
      ]);
    case 'password-changed':
      return mail(context, 'Your password was changed', [
        greeting(message.data.name),
        `The password of your account was changed on ${new Date(message.data.changedAtMs).toUTCString()}. Every other signed-in session was signed out.`,
        'If this was you, there is nothing more to do.',
        'If it was not you, reset your password now to take the account back:',
        { label: 'Reset your password', url: link(context, '/forgot-password') },
        activityLink(context),
      ]);
    case 'welcome':
      return mail(context, `Welcome to ${context.productName}`, [
        greeting(message.data.name),
        'Your account has been created. You can sign in here:',
        { label: 'Sign in', url: link(context, withReturnTo('/login', message.data.returnTo)) },
        'If you did not create this account, ignore this email.',
      ]);
    case 'account-exists':
      return mail(context, 'You already have an account', [
        greeting(message.data.name),
        message.data.reason === 'email-change'
          ? 'Someone asked to move another account to this email address, but you already have an account with it, so nothing was changed.'
          : 'Someone tried to register a new account with this email address, but you already have one.',
        { label: 'Sign in', url: link(context, withReturnTo('/login', message.data.returnTo)) },
        'If you forgot your password, you can reset it:',
        { label: 'Reset your password', url: link(context, withReturnTo('/forgot-password', message.data.returnTo)) },
        'If this was not you, ignore this email: nothing has changed.',
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
  return mail(context, `Your new account on ${context.productName}`, [
    greeting(data.name),
    `An administrator created an account for you on ${context.productName}. It has no password yet: choose one with this link to start using it.`,
    { label: 'Choose your password', url: link(context, `/reset-password/${data.token}`) },
    `The link works once, for ${formatDuration(data.expiresInSeconds)}. When it has expired, ask for a new one with "Forgot your password?" on the sign-in page, or ask the administrator.`,
    'If you did not expect this invitation, ignore this email or tell the administrator.',
  ]);
}
