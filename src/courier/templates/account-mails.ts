import { withReturnTo } from '../../flows/return-to.ts';
import { formatDuration, greeting, link, mail } from './layout.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

type AccountMail = Extract<
  MailMessage,
  {
    template:
      | 'confirm-email'
      | 'email-change-confirm'
      | 'email-change-requested'
      | 'username-reminder'
      | 'username-unavailable'
      | 'account-imported';
  }
>;

/** Mails of the account lifecycle: confirmation, email change, usernames, imported accounts. */
export function renderAccountMail(message: AccountMail, context: MailContext): RenderedMail {
  switch (message.template) {
    case 'confirm-email':
      return mail(
        context,
        message.data.welcome ? `Welcome to ${context.productName}: confirm your email address` : 'Confirm your email address',
        [
          greeting(message.data.name),
          message.data.welcome
            ? 'Your account has been created. Confirm that this address is yours, then sign in:'
            : 'Confirm that this address is yours, then sign in:',
          {
            label: 'Confirm your email address',
            url: link(context, withReturnTo(`/confirm-email/${message.data.token}`, message.data.returnTo)),
          },
          `The link expires in ${formatDuration(message.data.expiresInSeconds)} and works once. Once the address is confirmed:`,
          { label: 'Sign in', url: link(context, withReturnTo('/login', message.data.returnTo)) },
          'If you did not create an account, ignore this email.',
        ],
      );
    case 'email-change-confirm':
      return mail(context, 'Confirm your new email address', [
        greeting(message.data.name),
        `Someone (hopefully you) asked to use this address for their ${context.productName} account. The change happens when you confirm:`,
        { label: 'Confirm your new email address', url: link(context, `/email-change/confirm/${message.data.token}`) },
        `The link expires in ${formatDuration(message.data.expiresInSeconds)} and works once.`,
        'If you did not ask for this, ignore this email: nothing changes.',
      ]);
    case 'email-change-requested':
      return mail(context, 'Your email address is being changed', [
        greeting(message.data.name),
        `Someone signed in to your account asked to change its email address to ${message.data.newEmail}. It changes once that address confirms.`,
        'If this was you, there is nothing more to do.',
        'If it was not you, cancel the change: this also signs out every session and sends you a link to choose a new password.',
        { label: 'Cancel the change and secure your account', url: link(context, `/email-change/undo/${message.data.undoToken}`) },
        `This link works for ${formatDuration(message.data.expiresInSeconds)}, also after the change.`,
      ]);
    case 'username-reminder':
      return mail(context, 'Your username', [
        greeting(message.data.name),
        `Someone (hopefully you) asked for the username of the account with this address. It is: ${message.data.username}`,
        { label: 'Sign in', url: link(context, '/login') },
        'If you did not ask for this, ignore this email.',
      ]);
    case 'username-unavailable':
      // Sent to an address that has no account: nothing typed into the form is repeated here.
      return mail(context, 'Choose another username', [
        greeting(null),
        `Someone (hopefully you) tried to create a ${context.productName} account with this email address, but the username they chose belongs to another account. No account was created.`,
        'To create your account, register again with another username:',
        { label: 'Create an account', url: link(context, '/register') },
        'If this was not you, ignore this email.',
      ]);
    case 'account-imported':
      return mail(context, `Your account has moved to ${context.productName}`, [
        greeting(message.data.name),
        `Your account now lives on ${context.productName}, with this email address.`,
        message.data.hasPassword
          ? 'Your password has not changed: sign in with it as before. (It is stored in a stronger form the first time you do.)'
          : 'It has no password here yet: choose one with the reset link below, then sign in.',
        { label: 'Sign in', url: link(context, '/login') },
        'Forgot your password, or never had one? Choose a new one:',
        { label: 'Choose a password', url: link(context, '/forgot-password') },
        'If you did not have an account with us, ignore this email.',
      ]);
  }
}
