import { withReturnTo } from '../../flows/return-to.ts';
import { activityLink, formatDuration, greeting, link, mail } from './layout.ts';
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
      | 'password-reset-code'
      | 'login-code'
      | 'recovery-code-used'
      | 'phone-changed'
      | 'second-factor-changed'
      | 'passkey-changed'
      | 'account-imported';
  }
>;

/** Subject and first sentence of each two-step sign-in notice. */
const SECOND_FACTOR_NOTICES = {
  enabled: { subject: 'Two-step sign-in was turned on', what: 'two-step sign-in was turned on with an authenticator app' },
  'recovery-codes-regenerated': {
    subject: 'New recovery codes were made',
    what: 'new recovery codes were made for two-step sign-in; the earlier ones no longer work',
  },
  disabled: { subject: 'Two-step sign-in was turned off', what: 'two-step sign-in was turned off' },
  'reset-by-admin': {
    subject: 'Two-step sign-in was turned off by an administrator',
    what: 'an administrator turned two-step sign-in off and removed its authenticator app and recovery codes',
  },
} as const;

/** Mails of the account lifecycle: confirmation, email change, usernames, phone number, two-step sign-in, passkeys, reset by code, imported accounts. */
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
        activityLink(context),
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
    case 'password-reset-code':
      // The code is the only secret here: the link leads to the form without carrying anything.
      return mail(context, 'Your password reset code', [
        greeting(message.data.name),
        `Someone (hopefully you) asked to reset the password of your ${context.productName} account. Your code is: ${message.data.code}`,
        'Enter it with your new password here:',
        { label: 'Enter the code', url: link(context, '/reset/code') },
        `The code expires in ${formatDuration(message.data.expiresInSeconds)} and works once. Never give it to anyone who asks for it.`,
        'If you did not ask for this, ignore this email: your password stays as it is.',
      ]);
    case 'login-code':
      // The code only: no link, so a forwarded or scanned mail cannot sign anyone in by itself.
      return mail(context, `Your ${context.productName} sign-in code`, [
        greeting(message.data.name),
        `Someone (hopefully you) entered your password and asked for a code to finish signing in. Your code is: ${message.data.code}`,
        `It expires in ${formatDuration(message.data.expiresInSeconds)} and works once.`,
        'If this was not you, someone knows your password: change it now. Without the code they cannot sign in.',
        { label: 'Change your password', url: link(context, '/forgot-password') },
      ]);
    case 'recovery-code-used':
      return mail(context, 'A recovery code was used to sign in', [
        greeting(message.data.name),
        `A recovery code was used to sign in to your account on ${new Date(message.data.usedAtMs).toUTCString()}. ${message.data.remaining === 1 ? '1 recovery code is' : `${message.data.remaining} recovery codes are`} left.`,
        message.data.remaining <= 3
          ? 'Make new recovery codes on your account page soon, so you are not locked out if you lose your authenticator.'
          : 'Each code works once. You can make new ones on your account page at any time.',
        'If this was not you, change your password now and make new recovery codes.',
        { label: 'Change your password', url: link(context, '/forgot-password') },
        activityLink(context),
      ]);
    case 'phone-changed':
      return mail(
        context,
        message.data.change === 'added' ? 'A phone number was added to your account' : 'The phone number of your account was removed',
        [
          greeting(message.data.name),
          message.data.change === 'added'
            ? `The phone number ending in ${message.data.endsWith} was added to your account on ${new Date(message.data.atMs).toUTCString()}. Codes may now be sent to it by SMS.`
            : `The phone number ending in ${message.data.endsWith} was removed from your account on ${new Date(message.data.atMs).toUTCString()}. No more codes will be sent to it.`,
          'If this was you, there is nothing more to do.',
          'If it was not you, someone is signed in to your account: reset your password now to take it back, then check the phone number on your account page.',
          { label: 'Reset your password', url: link(context, '/forgot-password') },
          activityLink(context),
        ],
      );
    case 'second-factor-changed': {
      const notice = SECOND_FACTOR_NOTICES[message.data.change];
      return mail(context, notice.subject, [
        greeting(message.data.name),
        `On ${new Date(message.data.changedAtMs).toUTCString()} ${notice.what} for your ${context.productName} account.`,
        'If this was you, there is nothing more to do. You can see and change it here:',
        { label: 'Two-step sign-in', url: link(context, '/account/two-factor') },
        'If it was not you, someone may know your password: reset it now, then check your two-step sign-in.',
        { label: 'Reset your password', url: link(context, '/forgot-password') },
        activityLink(context),
      ]);
    }
    case 'passkey-changed': {
      const { change, passkeyName, changedAtMs } = message.data;
      return mail(context, change === 'added' ? 'A passkey was added to your account' : 'A passkey was removed from your account', [
        greeting(message.data.name),
        change === 'added'
          ? `The passkey "${passkeyName}" was added to your ${context.productName} account on ${new Date(changedAtMs).toUTCString()}. It can now sign in to your account without a password.`
          : `The passkey "${passkeyName}" was removed from your ${context.productName} account on ${new Date(changedAtMs).toUTCString()}. It can no longer sign in to your account.`,
        'If this was you, there is nothing more to do. You can see your passkeys here:',
        { label: 'Your passkeys', url: link(context, '/account/passkeys') },
        'If it was not you, someone is signed in to your account: reset your password now to take it back (this signs out every session), then remove any passkey you do not know.',
        { label: 'Reset your password', url: link(context, '/forgot-password') },
        activityLink(context),
      ]);
    }
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
