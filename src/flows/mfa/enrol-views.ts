import { errorSummary, type FormErrors, field, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html, raw } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import type { TwoFactorStatus } from './enrol-service.ts';

type User = { email: string; name: string | null };

/** Fixed notices of the two-step page after a redirect; the query names one, never free text. */
export const TWO_FACTOR_NOTICES: Record<string, string> = {
  off: 'Two-step sign-in is off. Your authenticator app and recovery codes no longer work for this account.',
};

/** The password field a change shows when the session's last password entry is not recent. */
function passwordAgain(recent: boolean): Html {
  if (recent) return html``;
  return field({
    name: 'password',
    label: 'Your password',
    type: 'password',
    autocomplete: 'current-password',
    hint: 'For your security, confirm it is you.',
  });
}

/** A code field: the keyboard and autofill of one-time codes. `numeric` for app codes only (recovery codes have letters). */
function codeField(o: { label: string; hint: string; numeric: boolean; autofocus?: boolean }): Html {
  return html`<label for="code">${o.label}</label>
<input id="code" name="code" type="text" autocomplete="one-time-code"${o.numeric ? html` inputmode="numeric" pattern="[0-9 ]*" maxlength="7"` : html` maxlength="64"`} required aria-describedby="code-hint"${o.autofocus ? html` autofocus` : ''}>
<small id="code-hint">${o.hint}</small>`;
}

/** `/account/two-factor`: whether two-step sign-in is on, and the ways to change it. */
export function twoFactorPage(o: {
  csrf: string;
  user: User;
  status: TwoFactorStatus;
  recent: boolean;
  info?: string;
  error?: string;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
}): Html {
  const s = o.status;
  const body = s.totp
    ? html`<p><strong>Two-step sign-in is on.</strong> Signing in asks for a code from your authenticator app after your password.</p>
<p>${s.recoveryCodesLeft === 1 ? 'One recovery code is left.' : `${s.recoveryCodesLeft} recovery codes are left.`} Each one signs you in once if you do not have your phone.</p>
<p class="actions"><a href="/account/two-factor/recovery-codes">Make new recovery codes</a> <a href="/account/two-factor/disable">Turn off two-step sign-in</a></p>`
    : html`<p><strong>Two-step sign-in is off.</strong> Turn it on and signing in will also ask for a 6-digit code from an authenticator app on your phone (such as Aegis, Google Authenticator, Microsoft Authenticator or 1Password), so your password alone is not enough.</p>
<form method="post" action="/account/two-factor/setup" novalidate>
${csrfField(o.csrf)}
${passwordAgain(o.recent)}
<button type="submit">Set up an authenticator app</button>
</form>`;
  return layout(
    { title: 'Two-step sign-in', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
${body}
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}

/** The secret as people type it: groups of four. */
export function groupedSecret(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * The set-up page: the QR code as inline SVG made on the server (no script, no image request, so
 * the CSP stays `default-src 'none'`), the same secret as text for typing by hand, and the field
 * for the first code.
 */
export function setupPage(o: {
  csrf: string;
  user: User;
  qrSvg: string;
  secret: string;
  recent: boolean;
  error?: string | undefined;
  errors?: FormErrors | undefined;
}): Html {
  return layout(
    { title: 'Set up your authenticator app', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<ol>
<li>Open your authenticator app and add an account.</li>
<li>Scan this QR code with it:
<figure class="qr" role="img" aria-label="QR code with your two-step sign-in secret">${raw(o.qrSvg)}</figure>
Or, if you cannot scan it, type this key into the app:
<p><code class="secret" id="secret">${groupedSecret(o.secret)}</code></p>
<small>Time-based, 6 digits, every 30 seconds.</small></li>
<li>Enter the 6-digit code the app shows now.</li>
</ol>
<form method="post" action="/account/two-factor/confirm" novalidate>
${csrfField(o.csrf)}
${codeField({ label: 'Code from the app', hint: 'The code changes every 30 seconds.', numeric: true, autofocus: true })}
${passwordAgain(o.recent)}
<button type="submit">Turn on two-step sign-in</button>
</form>
<p class="actions"><a href="/account/two-factor">Cancel</a></p>`,
  );
}

/**
 * The recovery codes, shown once: the response to the request that made them. Nothing keeps them
 * but this page (the database holds digests only). "Download" posts the codes this page already
 * holds back to the server, which answers them as a text file: no copy is kept anywhere to be
 * shown later, and the download shows nothing the page does not already show.
 */
export function recoveryCodesPage(o: { csrf: string; user: User; codes: string[]; enabled: boolean }): Html {
  return layout(
    { title: 'Your recovery codes', user: o.user, csrf: o.csrf },
    html`${notice('info', o.enabled ? 'Two-step sign-in is on.' : 'New recovery codes are ready. The earlier ones no longer work.')}
<p>If you lose your phone, each of these codes signs you in once instead of a code from the app. <strong>Save them now: they are shown only this once.</strong></p>
<ol class="codes" id="recovery-codes">${o.codes.map((code) => html`<li><code>${code}</code></li>`)}</ol>
<form method="post" action="/account/two-factor/recovery-codes.txt">
${csrfField(o.csrf)}
<input type="hidden" name="codes" value="${o.codes.join(' ')}">
<button type="submit">Download as a text file</button>
</form>
<p class="actions"><a href="/account/two-factor">I have saved my codes</a></p>`,
  );
}

/** The text file of the download. */
export function recoveryCodesText(o: { codes: string[]; email: string; productName: string; signInUrl: string }): string {
  return [
    `${o.productName} recovery codes for ${o.email}`,
    '',
    'Each code signs you in once instead of a code from your authenticator app.',
    'Making new codes stops these from working.',
    '',
    ...o.codes,
    '',
    `Sign in: ${o.signInUrl}`,
    '',
  ].join('\n');
}

/** "Make new recovery codes?" with the consequence said before anything changes. */
export function regeneratePage(o: {
  csrf: string;
  user: User;
  recent: boolean;
  left: number;
  error?: string | undefined;
  errors?: FormErrors | undefined;
}): Html {
  return layout(
    { title: 'Make new recovery codes', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<p>You get ten new codes. The ${o.left === 1 ? 'code' : `${o.left} codes`} you have now will stop working at once.</p>
<form method="post" action="/account/two-factor/recovery-codes" novalidate>
${csrfField(o.csrf)}
${passwordAgain(o.recent)}
<button type="submit">Make new codes</button>
</form>
<p class="actions"><a href="/account/two-factor">Cancel</a></p>`,
  );
}

/** Turning it off: a current code (or a recovery code), and the password when the last entry is old. */
export function disablePage(o: {
  csrf: string;
  user: User;
  recent: boolean;
  error?: string | undefined;
  errors?: FormErrors | undefined;
}): Html {
  return layout(
    { title: 'Turn off two-step sign-in', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<p>Your password alone will be enough to sign in again. The authenticator app and the recovery codes stop working for this account, and every browser remembered for two-step sign-in is forgotten.</p>
<form method="post" action="/account/two-factor/disable" novalidate>
${csrfField(o.csrf)}
${codeField({ label: 'Code from your app, or a recovery code', hint: 'The 6-digit code your app shows now, or one of your recovery codes.', numeric: false, autofocus: true })}
${passwordAgain(o.recent)}
<button type="submit">Turn off two-step sign-in</button>
</form>
<p class="actions"><a href="/account/two-factor">Cancel</a></p>`,
  );
}
