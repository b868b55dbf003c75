import { errorSummary, type FormErrors, field, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';
import type { PhoneView } from './service.ts';

type User = { email: string; name: string | null };

const passwordField = field({
  name: 'password',
  label: 'Your password',
  type: 'password',
  autocomplete: 'current-password',
  hint: 'For your security, confirm it is you.',
});

/** /account/phone: the verified number with a remove form, and the form that sends a code to a new one. */
export function phonePage(o: {
  csrf: string;
  user: User;
  phone: PhoneView | null;
  available: boolean;
  times: TimeFormat;
  /** False for an account without a password: it confirmed it is them lately instead (the route sees to it). */
  askPassword?: boolean;
  typed?: string;
  info?: string | undefined;
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
}): Html {
  const password = o.askPassword === false ? '' : passwordField;
  const current = o.phone
    ? html`<p>Your phone number is <strong>${o.phone.phone}</strong>, verified ${timeElement(o.phone.verifiedAtMs, o.times)}.</p>
<form method="post" action="/account/phone/remove" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${password}
<button type="submit">Remove this phone number</button>
</form>`
    : html`<p>Your account has no phone number.</p>`;
  const add = o.available
    ? html`<h2>${o.phone ? 'Use another number' : 'Add a phone number'}</h2>
<p>We send a code by SMS to the number; it is added when you enter the code. Codes to sign in or to reset your password can then be sent to it.</p>
<form method="post" action="/account/phone" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
<label for="phone">Mobile phone number</label>
<input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" maxlength="40" required aria-describedby="phone-hint"${o.typed !== undefined ? html` value="${o.typed}"` : ''}>
<small id="phone-hint">With its country code, like +33 6 12 34 56 78.</small>
${password}
<button type="submit">Send a code</button>
</form>`
    : html`<p>This service does not send text messages, so no phone number can be added.</p>`;
  return layout(
    { title: 'Your phone number', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
${current}
${add}
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}

/** /account/phone/verify: the code sent by SMS (the phone may fill it in: one-time-code, WebOTP line). */
export function phoneVerifyPage(o: {
  csrf: string;
  user: User;
  pending: string | null;
  error?: string | undefined;
  errors?: FormErrors | undefined;
}): Html {
  if (!o.pending) {
    return layout(
      { title: 'Enter the code', user: o.user, csrf: o.csrf },
      html`${errorSummary(o.errors ?? formProblem(o.error))}<p>No code is waiting: it was used, it expired, or too many wrong codes were entered.</p>
<p class="actions"><a href="/account/phone">Send a new code</a> <a href="/">Back to your account</a></p>`,
    );
  }
  return layout(
    { title: 'Enter the code', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<p>We sent a 6-digit code by SMS to <strong>${o.pending}</strong>. It works once, for a few minutes.</p>
<form method="post" action="/account/phone/verify" novalidate>
${csrfField(o.csrf)}
<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required autofocus>
<button type="submit">Verify the number</button>
</form>
<p class="actions"><a href="/account/phone">Send a new code</a> <a href="/">Back to your account</a></p>`,
  );
}
