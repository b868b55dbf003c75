import { withReturnTo } from '../../flows/return-to.ts';
import { t } from '../../i18n/index.ts';
import { activityLink, button, formatDuration, formatWhen, greeting, link, mail } from './layout.ts';
import type { MailContext, MailMessage, RenderedMail, SecondFactorChange } from './types.ts';

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

/** The catalogue keys of each two-step sign-in notice: its subject and its first sentence (`{when}`, `{product}`). */
const SECOND_FACTOR_NOTICES: Record<SecondFactorChange, { subject: string; what: string }> = {
  enabled: { subject: 'mail.secondFactor.enabled.subject', what: 'mail.secondFactor.enabled.body' },
  'recovery-codes-regenerated': {
    subject: 'mail.secondFactor.regenerated.subject',
    what: 'mail.secondFactor.regenerated.body',
  },
  disabled: { subject: 'mail.secondFactor.disabled.subject', what: 'mail.secondFactor.disabled.body' },
  'reset-by-admin': { subject: 'mail.secondFactor.resetByAdmin.subject', what: 'mail.secondFactor.resetByAdmin.body' },
};

/** Mails of the account lifecycle: confirmation, email change, usernames, phone number, two-step sign-in, passkeys, reset by code, imported accounts. */
export function renderAccountMail(message: AccountMail, context: MailContext): RenderedMail {
  const product = context.productName;
  switch (message.template) {
    case 'confirm-email': {
      const { welcome, returnTo } = message.data;
      return mail(context, welcome ? t('mail.confirmEmail.welcomeSubject', { product }) : t('mail.confirmEmail.subject'), [
        greeting(message.data.name),
        welcome ? t('mail.confirmEmail.welcomeIntro') : t('mail.confirmEmail.intro'),
        button('mail.confirmEmail.confirm', link(context, withReturnTo(`/confirm-email/${message.data.token}`, returnTo))),
        t('mail.confirmEmail.lifetime', { duration: formatDuration(message.data.expiresInSeconds) }),
        button('mail.common.signIn', link(context, withReturnTo('/login', returnTo))),
        t('mail.confirmEmail.ignore'),
      ]);
    }
    case 'email-change-confirm':
      return mail(context, t('mail.emailChangeConfirm.subject'), [
        greeting(message.data.name),
        t('mail.emailChangeConfirm.intro', { product }),
        button('mail.emailChangeConfirm.confirm', link(context, `/email-change/confirm/${message.data.token}`)),
        t('mail.common.linkExpires', { duration: formatDuration(message.data.expiresInSeconds) }),
        t('mail.emailChangeConfirm.ignore'),
      ]);
    case 'email-change-requested':
      return mail(context, t('mail.emailChangeRequested.subject'), [
        greeting(message.data.name),
        t('mail.emailChangeRequested.body', { newEmail: message.data.newEmail }),
        t('mail.common.wasYou'),
        t('mail.emailChangeRequested.notYou'),
        button('mail.emailChangeRequested.undo', link(context, `/email-change/undo/${message.data.undoToken}`)),
        t('mail.emailChangeRequested.lifetime', { duration: formatDuration(message.data.expiresInSeconds) }),
        activityLink(context),
      ]);
    case 'username-reminder':
      return mail(context, t('mail.usernameReminder.subject'), [
        greeting(message.data.name),
        t('mail.usernameReminder.body', { username: message.data.username }),
        button('mail.common.signIn', link(context, '/login')),
        t('mail.common.ignoreNotAsked'),
      ]);
    case 'username-unavailable':
      // Sent to an address that has no account: nothing typed into the form is repeated here.
      return mail(context, t('mail.usernameUnavailable.subject'), [
        greeting(null),
        t('mail.usernameUnavailable.body', { product }),
        t('mail.usernameUnavailable.again'),
        button('mail.usernameUnavailable.register', link(context, '/register')),
        t('mail.common.ignoreNotYou'),
      ]);
    case 'password-reset-code':
      // The code is the only secret here: the link leads to the form without carrying anything.
      return mail(context, t('mail.resetCode.subject'), [
        greeting(message.data.name),
        t('mail.resetCode.body', { product, code: message.data.code }),
        t('mail.resetCode.where'),
        button('mail.resetCode.enter', link(context, '/reset/code')),
        t('mail.resetCode.lifetime', { duration: formatDuration(message.data.expiresInSeconds) }),
        t('mail.common.ignorePasswordStays'),
      ]);
    case 'login-code':
      // The code only: no link, so a forwarded or scanned mail cannot sign anyone in by itself.
      return mail(context, t('mail.loginCode.subject', { product }), [
        greeting(message.data.name),
        t('mail.loginCode.body', { code: message.data.code }),
        t('mail.loginCode.lifetime', { duration: formatDuration(message.data.expiresInSeconds) }),
        t('mail.loginCode.notYou'),
        button('mail.common.changePassword', link(context, '/forgot-password')),
      ]);
    case 'recovery-code-used':
      return mail(context, t('mail.recoveryCodeUsed.subject'), [
        greeting(message.data.name),
        t('mail.recoveryCodeUsed.body', { when: formatWhen(message.data.usedAtMs), remaining: message.data.remaining }),
        message.data.remaining <= 3 ? t('mail.recoveryCodeUsed.fewLeft') : t('mail.recoveryCodeUsed.enoughLeft'),
        t('mail.recoveryCodeUsed.notYou'),
        button('mail.common.changePassword', link(context, '/forgot-password')),
        activityLink(context),
      ]);
    case 'phone-changed': {
      const added = message.data.change === 'added';
      const facts = { endsWith: message.data.endsWith, when: formatWhen(message.data.atMs) };
      return mail(context, added ? t('mail.phone.addedSubject') : t('mail.phone.removedSubject'), [
        greeting(message.data.name),
        added ? t('mail.phone.added', facts) : t('mail.phone.removed', facts),
        t('mail.common.wasYou'),
        t('mail.phone.notYou'),
        button('mail.common.resetPassword', link(context, '/forgot-password')),
        activityLink(context),
      ]);
    }
    case 'second-factor-changed': {
      const notice = SECOND_FACTOR_NOTICES[message.data.change];
      return mail(context, t(notice.subject), [
        greeting(message.data.name),
        t(notice.what, { when: formatWhen(message.data.changedAtMs), product }),
        t('mail.secondFactor.wasYou'),
        button('mail.secondFactor.settings', link(context, '/account/two-factor')),
        t('mail.secondFactor.notYou'),
        button('mail.common.resetPassword', link(context, '/forgot-password')),
        activityLink(context),
      ]);
    }
    case 'passkey-changed': {
      const added = message.data.change === 'added';
      const facts = { passkeyName: message.data.passkeyName, product, when: formatWhen(message.data.changedAtMs) };
      return mail(context, added ? t('mail.passkey.addedSubject') : t('mail.passkey.removedSubject'), [
        greeting(message.data.name),
        added ? t('mail.passkey.added', facts) : t('mail.passkey.removed', facts),
        t('mail.passkey.wasYou'),
        button('mail.passkey.list', link(context, '/account/passkeys')),
        t('mail.passkey.notYou'),
        button('mail.common.resetPassword', link(context, '/forgot-password')),
        activityLink(context),
      ]);
    }
    case 'account-imported':
      return mail(context, t('mail.imported.subject', { product }), [
        greeting(message.data.name),
        t('mail.imported.body', { product }),
        message.data.hasPassword ? t('mail.imported.hasPassword') : t('mail.imported.noPassword'),
        button('mail.common.signIn', link(context, '/login')),
        t('mail.imported.choose'),
        button('mail.imported.choosePassword', link(context, '/forgot-password')),
        t('mail.imported.ignore'),
      ]);
  }
}
