import { errorSummary, type FormErrors, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { PASSKEY_SCRIPTS, passkeySecondFactorButton } from '../passkeys/views.ts';
import { withReturnTo } from '../return-to.ts';
import type { SecondFactorMethod } from './factors.ts';

/** What the code field asks for, per method. */
const PROMPTS: Record<SecondFactorMethod, { label: string; hint: string }> = {
  totp: { label: 'Code from your authenticator app', hint: 'The 6-digit code your app shows now.' },
  recovery_code: {
    label: 'Recovery code',
    hint: 'One of the codes you saved when you set up two-step sign-in (xxxx-xxxx-xxxx). Each works once.',
  },
  email_code: { label: 'Code from the email', hint: 'The 6-digit code we sent to your email address. The mail says how long it works.' },
  sms_code: { label: 'Code from the text message', hint: 'The 6-digit code we sent to your phone. It works once, for a few minutes.' },
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
  return layout(
    { title: 'Finish signing in', scripts: o.passkey ? PASSKEY_SCRIPTS : undefined, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
<form method="post" action="${withReturnTo('/login/second-factor', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
<input type="hidden" name="method" value="${o.method}">
<label for="code">${prompt.label}</label>
<input id="code" name="code" type="text" ${numeric ? html`autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]*"` : html`autocomplete="off" autocapitalize="none" spellcheck="false"`} required maxlength="32" aria-describedby="code-hint" autofocus>
<small id="code-hint">${prompt.hint}</small>
<p class="check"><input type="checkbox" id="remember_device" name="remember_device" value="on"${o.rememberDevice ? html` checked` : ''}><label for="remember_device">Remember this device for 30 days</label></p>
<button type="submit">Continue</button>
</form>
${o.passkey ? passkeySecondFactorButton(o.returnTo) : ''}
${others.map((method) => otherMethod(o.csrf, method, o.returnTo))}
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">Start again with your password</a></p>`,
  );
}

/** A way to switch method: a link for the app and recovery codes, a button that sends a code for email and SMS. */
function otherMethod(csrf: string, method: SecondFactorMethod, returnTo: string | undefined): Html {
  switch (method) {
    case 'totp':
      return html`<p><a href="${withReturnTo('/login/second-factor?method=totp', returnTo)}">Use your authenticator app</a></p>`;
    case 'recovery_code':
      return html`<p><a href="${withReturnTo('/login/second-factor?method=recovery_code', returnTo)}">Use a recovery code</a></p>`;
    case 'email_code':
    case 'sms_code':
      return html`<form method="post" action="${withReturnTo('/login/second-factor/send', returnTo)}">${csrfField(csrf)}<input type="hidden" name="method" value="${method}"><button type="submit" class="secondary">${method === 'email_code' ? 'Email me a code' : 'Text me a code'}</button></form>`;
  }
}

/** The pending sign-in is gone (5 minutes passed, too many wrong codes, or a credential changed). */
export function secondFactorExpiredPage(o: { message: string; returnTo?: string | undefined }): Html {
  return layout(
    { title: 'Sign-in timed out' },
    html`${notice('error', o.message)}
<p class="actions"><a href="${withReturnTo('/login', o.returnTo)}">Sign in again</a></p>`,
  );
}
