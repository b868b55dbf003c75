import type { UsernameMode } from '../../config/account-config.ts';
import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { passwordRulesHint } from '../../views/password-rules.ts';
import { withReturnTo } from '../return-to.ts';

/** What registration answers, the same for every address; it speaks of confirming only when CONFIRM_EMAIL asks for it. */
export function registerSentMessage(confirmation: boolean): string {
  return confirmation
    ? 'Thanks. We have sent a message to that address: follow it to confirm the address and sign in. If you already had an account, or the username you chose is taken, the message says so.'
    : 'Thanks. We have sent a message to that address: it tells you how to sign in. If you already had an account, or the username you chose is taken, the message says so.';
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
    { title: 'Create an account', failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<form method="post" action="${withReturnTo('/register', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'name', label: 'Name (optional)', type: 'text', autocomplete: 'name', value: o.name, required: false, maxLength: 100, error: o.errors?.name })}
${o.usernames === 'off' ? '' : field({ name: 'username', label: o.usernames === 'required' ? 'Username' : 'Username (optional)', type: 'text', autocomplete: 'username', value: o.username, required: o.usernames === 'required', maxLength: 32, error: o.errors?.username, hint: '3 to 32 letters or digits; dots, dashes and underscores inside. Others can see it.' })}
${field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', value: o.email, maxLength: 254, error: o.errors?.email })}
${field({ name: 'password', label: o.passwordOptional ? 'Password (optional)' : 'Password', type: 'password', autocomplete: 'new-password', required: !o.passwordOptional, minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.password, hint: o.passwordOptional ? `${withoutPasswordHint(o)} With one: ${passwordRulesHint(o)}` : passwordRulesHint(o) })}
${field({ name: 'password_confirm', label: o.passwordOptional ? 'Password again (if you chose one)' : 'Password again', type: 'password', autocomplete: 'new-password', required: !o.passwordOptional, minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.password_confirm })}
<button type="submit">Create account</button>
</form>
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">I already have an account</a></p>`,
  );
}

/** What an account without a password signs in with, as the registration form says it. */
function withoutPasswordHint(o: { passwordless?: boolean | undefined; passkeys?: boolean | undefined }): string {
  const ways = [o.passwordless ? 'a link or code we email you' : '', o.passkeys ? 'a passkey you add in your settings' : ''].filter(
    Boolean,
  );
  const how = ways.length > 0 ? ways.join(' or ') : 'a password reset link';
  return `You may leave it empty: you then sign in with ${how}, and can set a password later in your settings.`;
}
