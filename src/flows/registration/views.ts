import type { UsernameMode } from '../../config/account-config.ts';
import { t } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { passwordRulesHint } from '../../views/password-rules.ts';
import { withReturnTo } from '../return-to.ts';

/** What registration answers, the same for every address; it speaks of confirming only when CONFIRM_EMAIL asks for it. */
export function registerSentMessage(confirmation: boolean): string {
  return t(confirmation ? 'registration.sent.confirm' : 'registration.sent.plain');
}

export function registerPage(o: {
  csrf: string;
  minLength: number;
  /** PASSWORD_BREACH_CHECK=on, for the rules shown under the new password. */
  breachCheck?: boolean;
  maxLength: number;
  email?: string;
  name?: string;
  username?: string;
  usernames: UsernameMode;
  /** PASSWORD_OPTIONAL: the password fields may stay empty. */
  passwordOptional?: boolean;
  /** Which other ways to sign in exist (PASSWORDLESS, PASSKEYS), for the optional password's hint. */
  passwordless?: boolean;
  passkeys?: boolean;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string;
  /** Where to go once signed in (checked by the S11 rule): kept in the form and the links. */
  returnTo?: string | undefined;
}): Html {
  return layout(
    { title: t('registration.title'), failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<form method="post" action="${withReturnTo('/register', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'name', label: t('registration.name'), type: 'text', autocomplete: 'name', value: o.name, required: false, maxLength: 100, error: o.errors?.name })}
${o.usernames === 'off' ? '' : field({ name: 'username', label: t(o.usernames === 'required' ? 'registration.username' : 'registration.usernameOptional'), type: 'text', autocomplete: 'username', value: o.username, required: o.usernames === 'required', maxLength: 32, error: o.errors?.username, hint: t('registration.usernameHint') })}
${field({ name: 'email', label: t('registration.email'), type: 'email', autocomplete: 'email', value: o.email, maxLength: 254, error: o.errors?.email })}
${field({ name: 'password', label: t(o.passwordOptional ? 'registration.passwordOptional' : 'registration.password'), type: 'password', autocomplete: 'new-password', required: !o.passwordOptional, minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.password, hint: o.passwordOptional ? t('registration.passwordOptionalHint', { without: withoutPasswordHint(o), rules: passwordRulesHint(o) }) : passwordRulesHint(o) })}
${field({ name: 'password_confirm', label: t(o.passwordOptional ? 'registration.passwordAgainOptional' : 'registration.passwordAgain'), type: 'password', autocomplete: 'new-password', required: !o.passwordOptional, minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.password_confirm })}
<button type="submit">${t('registration.submit')}</button>
</form>
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">${t('registration.haveAccount')}</a></p>`,
  );
}

/** What an account without a password signs in with, as the registration form says it. */
function withoutPasswordHint(o: { passwordless?: boolean | undefined; passkeys?: boolean | undefined }): string {
  const ways = o.passwordless && o.passkeys ? 'both' : o.passwordless ? 'email' : o.passkeys ? 'passkey' : 'reset';
  return t('registration.withoutPassword', { ways });
}
