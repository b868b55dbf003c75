import { errorSummary, type FormErrors, field, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { PASSKEY_SCRIPTS, passkeyStatus } from '../passkeys/views.ts';
import type { ReauthMethods } from './service.ts';

type User = { email: string; name: string | null };

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
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string | undefined;
}): Html {
  const nextField = html`<input type="hidden" name="next" value="${o.next}">`;
  const password = o.methods.password
    ? html`<form method="post" action="/account/confirm" novalidate>
${csrfField(o.csrf)}${nextField}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${field({ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password', autofocus: !o.codeSent, error: o.errors?.password })}
<button type="submit">Confirm with my password</button>
</form>`
    : '';
  const codeForm = o.codeSent
    ? html`<form method="post" action="/account/confirm/code" novalidate>
${csrfField(o.csrf)}${nextField}
<label for="code">Code from the email</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required aria-describedby="code-hint" autofocus>
<small id="code-hint">8 digits. It works once, only in this browser, for a few minutes.</small>
<button type="submit">Confirm with the code</button>
</form>`
    : '';
  const passkey =
    o.methods.passkeys > 0
      ? html`<p class="actions"><button type="button" data-passkey-reauth data-next="${o.next}" hidden>Use a passkey</button></p>${passkeyStatus()}`
      : '';
  return layout(
    {
      title: 'Confirm it is you',
      user: o.user,
      csrf: o.csrf,
      scripts: o.methods.passkeys > 0 ? PASSKEY_SCRIPTS : undefined,
      failed: hasErrors(o.errors) || Boolean(o.error),
    },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
<p>${o.recent ? 'You confirmed it is you a moment ago. ' : ''}For your security, some changes to your account need a fresh proof that it is you.</p>
${o.recent ? html`<p class="actions"><a href="${o.next}">Continue</a></p>` : ''}
${password}
${passkey}
<h2>${o.methods.password ? 'Or get a code by email' : 'Get a code by email'}</h2>
<p>We send an 8-digit code to <strong>${o.user.email}</strong>.</p>
${codeForm}
<form method="post" action="/account/confirm/code/send" novalidate>
${csrfField(o.csrf)}${nextField}
<button type="submit">${o.codeSent ? 'Email me a new code' : 'Email me a code'}</button>
</form>
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}
