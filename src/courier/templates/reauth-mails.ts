import { activityLink, formatDuration, greeting, link, mail } from './layout.ts';
import type { MailContext, MailMessage, RenderedMail } from './types.ts';

type ReauthMail = Extract<MailMessage, { template: 'password-set' | 'reauth-code' }>;

/** Mails of accounts without a password: the "confirm it is you" code, and the notice that a password was set. */
export function renderReauthMail(message: ReauthMail, context: MailContext): RenderedMail {
  switch (message.template) {
    case 'reauth-code':
      // The code only: no link, so a forwarded or scanned mail confirms nothing by itself.
      return mail(context, `Your ${context.productName} confirmation code`, [
        greeting(message.data.name),
        `Someone signed in to your account (hopefully you) asked to confirm it is them before changing a setting. Your code is: ${message.data.code}`,
        `It expires in ${formatDuration(message.data.expiresInSeconds)}, works once and only in the browser that asked for it. Never give it to anyone who asks for it.`,
        'If this was not you, someone is signed in to your account: sign out every session and check your account.',
        { label: 'Your sessions', url: link(context, '/account/sessions') },
      ]);
    case 'password-set':
      return mail(context, 'A password was set for your account', [
        greeting(message.data.name),
        `A password was set for your account on ${new Date(message.data.setAtMs).toUTCString()}; until then it had none. You can now also sign in with it. Every other signed-in session was signed out.`,
        'If this was you, there is nothing more to do.',
        'If it was not you, reset the password now to take the account back:',
        { label: 'Reset your password', url: link(context, '/forgot-password') },
        activityLink(context),
      ]);
  }
}
