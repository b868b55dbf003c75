import { t, th } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, fieldProblem, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';
import type { PhoneView } from './service.ts';

type User = { email: string; name: string | null };

/**
 * The id of the remove form's password field: the add form below has one too (`password`), and
 * each needs its own id for its label and for the error summary's link.
 */
export const REMOVE_PASSWORD_ID = 'remove_password';

/** `<b>…</b>` of a message, as `<strong>`. */
const strong = (chunks: Html) => html`<strong>${chunks}</strong>`;

/** The password of the add form (`password`) or of the remove form (REMOVE_PASSWORD_ID), with its problem. */
function passwordField(id: string, error: string | undefined): Html {
  if (id === 'password') {
    return field({
      name: 'password',
      label: t('phone.password.label'),
      type: 'password',
      autocomplete: 'current-password',
      hint: t('phone.password.hint'),
      error,
    });
  }
  const problem = fieldProblem(id, error);
  return html`<label for="${id}">${t('phone.password.label')}</label>
${problem.message}<input id="${id}" name="password" type="password" autocomplete="current-password" required${error ? html` aria-invalid="true" aria-describedby="${id}-error ${id}-hint"` : html` aria-describedby="${id}-hint"`}>
<small id="${id}-hint">${t('phone.password.hint')}</small>`;
}

/** /account/phone: the verified number with a remove form, and the form that sends a code to a new one. */
export function phonePage(o: {
  csrf: string;
  user: User;
  phone: PhoneView | null;
  available: boolean;
  times: TimeFormat;
  /** False for an account without a password: it confirmed it is them lately instead (the route sees to it). */
  askPassword?: boolean;
  typed?: string | undefined;
  info?: string | undefined;
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
}): Html {
  const ask = o.askPassword !== false;
  const phoneProblem = fieldProblem('phone', o.errors?.phone);
  const current = o.phone
    ? html`<p>${th('phone.current', { phone: o.phone.phone, when: timeElement(o.phone.verifiedAtMs, o.times), b: strong })}</p>
<form method="post" action="/account/phone/remove" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${ask || o.errors?.[REMOVE_PASSWORD_ID] ? passwordField(REMOVE_PASSWORD_ID, o.errors?.[REMOVE_PASSWORD_ID]) : ''}
<button type="submit">${t('phone.remove')}</button>
</form>`
    : html`<p>${t('phone.none')}</p>`;
  const add = o.available
    ? html`<h2>${t(o.phone ? 'phone.replaceHeading' : 'phone.addHeading')}</h2>
<p>${t('phone.addIntro')}</p>
<form method="post" action="/account/phone" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
<label for="phone">${t('phone.numberLabel')}</label>
${phoneProblem.message}<input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" maxlength="40" required${o.errors?.phone ? html` aria-invalid="true" aria-describedby="phone-error phone-hint"` : html` aria-describedby="phone-hint"`}${o.typed !== undefined ? html` value="${o.typed}"` : ''}>
<small id="phone-hint">${t('phone.numberHint')}</small>
${ask || o.errors?.password ? passwordField('password', o.errors?.password) : ''}
<button type="submit">${t('phone.send')}</button>
</form>`
    : html`<p>${t('phone.unavailable')}</p>`;
  return layout(
    { title: t('phone.title'), user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
${current}
${add}
<p class="actions"><a href="/">${t('phone.back')}</a></p>`,
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
  const failed = hasErrors(o.errors) || Boolean(o.error);
  const links = html`<p class="actions"><a href="/account/phone">${t('phone.verify.sendNew')}</a> <a href="/">${t('phone.back')}</a></p>`;
  if (!o.pending) {
    return layout(
      { title: t('phone.verify.title'), user: o.user, csrf: o.csrf, failed },
      html`${errorSummary(o.errors ?? formProblem(o.error))}<p>${t('phone.verify.nothingPending')}</p>
${links}`,
    );
  }
  const problem = fieldProblem('code', o.errors?.code);
  return layout(
    { title: t('phone.verify.title'), user: o.user, csrf: o.csrf, failed },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<p>${th('phone.verify.intro', { phone: o.pending, b: strong })}</p>
<form method="post" action="/account/phone/verify" novalidate>
${csrfField(o.csrf)}
<label for="code">${t('phone.verify.codeLabel')}</label>
${problem.message}<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required${problem.attributes}${failed ? '' : html` autofocus`}>
<button type="submit">${t('phone.verify.submit')}</button>
</form>
${links}`,
  );
}
