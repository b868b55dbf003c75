import { t } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, fieldProblem, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { durationText } from '../inbox/views.ts';
import { withReturnTo } from '../return-to.ts';
import { SIGNIN_CODE_DIGITS, SIGNIN_LINK_TTL_SECONDS } from './service.ts';

/** What every visitor is told after asking, known address or not (S7). */
export function signInLinkSentMessage(): string {
  return t('passwordless.sent', { digits: String(SIGNIN_CODE_DIGITS), duration: durationText(SIGNIN_LINK_TTL_SECONDS) });
}

function rememberBox(checked: boolean | undefined): Html {
  return html`<p class="check"><input type="checkbox" id="remember" name="remember" value="on" autocomplete="off"${checked ? html` checked` : ''}><label for="remember">${t('passwordless.remember')}</label></p>`;
}

/** "Email me a sign-in link": the address, nothing else. */
export function emailSignInPage(o: {
  csrf: string;
  email?: string | undefined;
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  returnTo?: string | undefined;
}): Html {
  return layout(
    { title: t('passwordless.email.title'), failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<p>${t('passwordless.email.intro')}</p>
<form method="post" action="${withReturnTo('/login/email', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t('passwordless.email.email'), type: 'email', autocomplete: 'email', value: o.email, maxLength: 254, autofocus: true, error: o.errors?.email })}
<button type="submit">${t('passwordless.email.submit')}</button>
</form>
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">${t('passwordless.withPassword')}</a></p>`,
  );
}

/**
 * "Check your inbox", with the form for the code of the same mail (for a mail read on another
 * device). The address is prefilled when the browser came from the request form.
 */
export function checkInboxPage(o: {
  csrf: string;
  email?: string | undefined;
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string | undefined;
  remember?: boolean;
  returnTo?: string | undefined;
}): Html {
  const hasEmail = o.email !== undefined && o.email !== '';
  return layout(
    { title: t('passwordless.code.title'), failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
<p>${t('passwordless.code.intro', { digits: String(SIGNIN_CODE_DIGITS), duration: durationText(SIGNIN_LINK_TTL_SECONDS) })}</p>
<form method="post" action="${withReturnTo('/login/email/code', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t('passwordless.email.email'), type: 'email', autocomplete: 'email', value: o.email, maxLength: 254, autofocus: !hasEmail, error: o.errors?.email })}
<label for="code">${t('passwordless.code.code')}</label>
${fieldProblem('code', o.errors?.code).message}<input id="code" name="code" type="text" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]*" maxlength="16" required${fieldProblem('code', o.errors?.code).attributes}${hasEmail && !o.errors ? html` autofocus` : ''}>
${rememberBox(o.remember)}
<button type="submit">${t('passwordless.submit')}</button>
</form>
<p class="actions"><a href="${withReturnTo('/login/email', o.returnTo)}">${t('passwordless.code.sendNew')}</a> <a href="${withReturnTo('/login', o.returnTo)}">${t('passwordless.withPassword')}</a></p>`,
  );
}

/** The page behind the mailed link: one button that signs in (a GET changes nothing, S10, S12). */
export function signInLinkPage(o: { csrf: string; returnTo?: string | undefined }): Html {
  return layout(
    { title: t('passwordless.link.title') },
    html`<p>${t('passwordless.link.intro')}</p>
<form method="post" action="${withReturnTo('/login/link', o.returnTo)}">
${csrfField(o.csrf)}
${rememberBox(false)}
<button type="submit">${t('passwordless.submit')}</button>
</form>`,
  );
}
