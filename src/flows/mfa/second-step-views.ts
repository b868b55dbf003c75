import { t } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, fieldProblem, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { PASSKEY_SCRIPTS, passkeySecondFactorButton } from '../passkeys/views.ts';
import { withReturnTo } from '../return-to.ts';
import type { SecondFactorMethod } from './factors.ts';

/** What the code field asks for, per method (catalogue keys). */
const PROMPTS: Record<SecondFactorMethod, { label: string; hint: string }> = {
  totp: { label: 'mfa.second.totpLabel', hint: 'mfa.second.totpHint' },
  recovery_code: { label: 'mfa.second.recoveryLabel', hint: 'mfa.second.recoveryHint' },
  email_code: { label: 'mfa.second.emailLabel', hint: 'mfa.second.emailHint' },
  sms_code: { label: 'mfa.second.smsLabel', hint: 'mfa.second.smsHint' },
};

/**
 * The second step of sign-in: one code field for the chosen method (numeric codes get
 * `inputmode="numeric"` and `autocomplete="one-time-code"`, so phones offer the texted code), a
 * "remember this device" box, and plain forms for the other methods. No JavaScript.
 */
export function secondFactorPage(o: {
  csrf: string;
  method: SecondFactorMethod;
  methods: SecondFactorMethod[];
  returnTo?: string | undefined;
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string | undefined;
  rememberDevice?: boolean;
  /** The account has a passkey: a "Use a passkey" button (shown by the script where the browser can). */
  passkey?: boolean;
}): Html {
  const prompt = PROMPTS[o.method];
  const numeric = o.method !== 'recovery_code';
  const others = o.methods.filter((m) => m !== o.method);
  const failed = hasErrors(o.errors) || Boolean(o.error);
  const problem = fieldProblem('code', o.errors?.code);
  return layout(
    { title: t('mfa.second.title'), scripts: o.passkey ? PASSKEY_SCRIPTS : undefined, failed },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
<form method="post" action="${withReturnTo('/login/second-factor', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
<input type="hidden" name="method" value="${o.method}">
<label for="code">${t(prompt.label)}</label>
${problem.message}<input id="code" name="code" type="text" ${numeric ? html`autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]*"` : html`autocomplete="off" autocapitalize="none" spellcheck="false"`} required maxlength="32"${o.errors?.code ? html` aria-invalid="true" aria-describedby="code-error code-hint"` : html` aria-describedby="code-hint"`}${failed ? '' : html` autofocus`}>
<small id="code-hint">${t(prompt.hint)}</small>
<p class="check"><input type="checkbox" id="remember_device" name="remember_device" value="on"${o.rememberDevice ? html` checked` : ''}><label for="remember_device">${t('mfa.second.remember')}</label></p>
<button type="submit">${t('mfa.second.continue')}</button>
</form>
${o.passkey ? passkeySecondFactorButton(o.returnTo) : ''}
${others.map((method) => otherMethod(o.csrf, method, o.returnTo))}
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">${t('mfa.second.startAgain')}</a></p>`,
  );
}

/** A way to switch method: a link for the app and recovery codes, a button that sends a code for email and SMS. */
function otherMethod(csrf: string, method: SecondFactorMethod, returnTo: string | undefined): Html {
  switch (method) {
    case 'totp':
      return html`<p><a href="${withReturnTo('/login/second-factor?method=totp', returnTo)}">${t('mfa.second.useApp')}</a></p>`;
    case 'recovery_code':
      return html`<p><a href="${withReturnTo('/login/second-factor?method=recovery_code', returnTo)}">${t('mfa.second.useRecovery')}</a></p>`;
    case 'email_code':
    case 'sms_code':
      return html`<form method="post" action="${withReturnTo('/login/second-factor/send', returnTo)}">${csrfField(csrf)}<input type="hidden" name="method" value="${method}"><button type="submit" class="secondary">${t(method === 'email_code' ? 'mfa.second.emailMe' : 'mfa.second.textMe')}</button></form>`;
  }
}

/** The pending sign-in is gone (5 minutes passed, too many wrong codes, or a credential changed). */
export function secondFactorExpiredPage(o: { message: string; returnTo?: string | undefined }): Html {
  return layout(
    { title: t('mfa.expired.title') },
    html`${notice('error', o.message)}
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">${t('mfa.expired.again')}</a></p>`,
  );
}
