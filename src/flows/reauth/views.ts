import { t, th } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, fieldProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { PASSKEY_SCRIPTS, passkeyStatus } from '../passkeys/views.ts';
import { REAUTH_CODE_DIGITS, type ReauthMethods } from './service.ts';

type User = { email: string; name: string | null };

/** The `<b>` tag of messages: an address in bold. */
const strong = (chunks: Html) => html`<strong>${chunks}</strong>`;

/**
 * `/account/confirm`: "Confirm it is you" with the password (when the account has one), a code
 * mailed to the account's address, or a passkey. The passkey button is hidden: the passkeys
 * script shows it when the browser can use one; without JavaScript the other two ways remain.
 */
export function confirmPage(o: {
  csrf: string;
  user: User;
  /** Where to go once confirmed (an app path, already checked). */
  next: string;
  methods: ReauthMethods;
  codeSent: boolean;
  recent: boolean;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string | undefined;
}): Html {
  const failed = hasErrors(o.errors);
  const nextField = html`<input type="hidden" name="next" value="${o.next}">`;
  const password = o.methods.password
    ? html`<form method="post" action="/account/confirm" novalidate>
${csrfField(o.csrf)}${nextField}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${field({ name: 'password', label: t('reauth.password'), type: 'password', autocomplete: 'current-password', autofocus: !o.codeSent && !failed, error: o.errors?.password })}
<button type="submit">${t('reauth.passwordButton')}</button>
</form>`
    : '';
  const codeForm = o.codeSent
    ? html`<form method="post" action="/account/confirm/code" novalidate>
${csrfField(o.csrf)}${nextField}
<label for="code">${t('reauth.codeLabel')}</label>
${fieldProblem('code', o.errors?.code).message}<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required${o.errors?.code ? html` aria-invalid="true" aria-describedby="code-error code-hint"` : html` aria-describedby="code-hint"`}${failed ? '' : html` autofocus`}>
<small id="code-hint">${t('reauth.codeHint', { digits: REAUTH_CODE_DIGITS })}</small>
<button type="submit">${t('reauth.codeButton')}</button>
</form>`
    : '';
  const passkey =
    o.methods.passkeys > 0
      ? html`<p class="actions"><button type="button" data-passkey-reauth data-next="${o.next}" hidden>${t('reauth.passkey')}</button></p>${passkeyStatus()}`
      : '';
  return layout(
    {
      title: t('reauth.title'),
      user: o.user,
      csrf: o.csrf,
      scripts: o.methods.passkeys > 0 ? PASSKEY_SCRIPTS : undefined,
      failed,
    },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<p>${o.recent ? t('reauth.introRecent') : t('reauth.intro')}</p>
${o.recent ? html`<p class="actions"><a href="${o.next}">${t('reauth.continue')}</a></p>` : ''}
${password}
${passkey}
<h2>${o.methods.password ? t('reauth.orCodeHeading') : t('reauth.codeHeading')}</h2>
<p>${th('reauth.codeSentTo', { digits: REAUTH_CODE_DIGITS, email: o.user.email, b: strong })}</p>
${codeForm}
<form method="post" action="/account/confirm/code/send" novalidate>
${csrfField(o.csrf)}${nextField}
<button type="submit">${o.codeSent ? t('reauth.sendNew') : t('reauth.send')}</button>
</form>
<p class="actions"><a href="/">${t('reauth.back')}</a></p>`,
  );
}
