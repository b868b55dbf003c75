import { t, th } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, fieldProblem, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html, raw } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import type { TwoFactorStatus } from './enrol-service.ts';

type User = { email: string; name: string | null };

/** Fixed notices of the two-step page after a redirect (catalogue keys); the query names one, never free text. */
export const TWO_FACTOR_NOTICES: Record<string, string> = {
  off: 'mfa.overview.turnedOff',
};

/** `<b>…</b>` of a message, as `<strong>`. */
const strong = (chunks: Html) => html`<strong>${chunks}</strong>`;

/**
 * The password field a change shows when the session's last password entry is not recent (or
 * when a password was sent with a problem, so the problem shows at its field).
 */
function passwordAgain(recent: boolean, error?: string): Html {
  if (recent && !error) return html``;
  return field({
    name: 'password',
    label: t('mfa.password.label'),
    type: 'password',
    autocomplete: 'current-password',
    hint: t('mfa.password.hint'),
    error,
  });
}

/**
 * A code field: the keyboard and autofill of one-time codes. `numeric` for app codes only
 * (recovery codes have letters). A problem with the code shows before the input, tied to it.
 */
function codeField(o: { label: string; hint: string; numeric: boolean; autofocus?: boolean; error?: string | undefined }): Html {
  const problem = fieldProblem('code', o.error);
  const describedBy = o.error ? 'code-error code-hint' : 'code-hint';
  return html`<label for="code">${o.label}</label>
${problem.message}<input id="code" name="code" type="text" autocomplete="one-time-code"${o.numeric ? html` inputmode="numeric" pattern="[0-9 ]*" maxlength="7"` : html` maxlength="64"`} required${o.error ? html` aria-invalid="true"` : ''} aria-describedby="${describedBy}"${o.autofocus ? html` autofocus` : ''}>
<small id="code-hint">${o.hint}</small>`;
}

/** `/account/two-factor`: whether two-step sign-in is on, and the ways to change it. */
export function twoFactorPage(o: {
  csrf: string;
  user: User;
  status: TwoFactorStatus;
  recent: boolean;
  info?: string | undefined;
  error?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
}): Html {
  const s = o.status;
  const body = s.totp
    ? html`<p>${th('mfa.overview.on', { b: strong })}</p>
<p>${t('mfa.overview.codesLeft', { count: s.recoveryCodesLeft })}</p>
<p class="actions"><a href="/account/two-factor/recovery-codes">${t('mfa.overview.newCodes')}</a> <a href="/account/two-factor/disable">${t('mfa.overview.turnOff')}</a></p>`
    : html`<p>${th('mfa.overview.off', { b: strong })}</p>
<form method="post" action="/account/two-factor/setup" novalidate>
${csrfField(o.csrf)}
${passwordAgain(o.recent, o.errors?.password)}
<button type="submit">${t('mfa.overview.setUp')}</button>
</form>`;
  return layout(
    { title: t('mfa.overview.title'), user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
${body}
<p class="actions"><a href="/">${t('mfa.back')}</a></p>`,
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
  const failed = hasErrors(o.errors) || Boolean(o.error);
  return layout(
    { title: t('mfa.setup.title'), user: o.user, csrf: o.csrf, failed },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<ol>
<li>${t('mfa.setup.open')}</li>
<li>${t('mfa.setup.scan')}
<figure class="qr" role="img" aria-label="${t('mfa.setup.qrLabel')}">${raw(o.qrSvg)}</figure>
${t('mfa.setup.typeKey')}
<p><code class="secret" id="secret">${groupedSecret(o.secret)}</code></p>
<small>${t('mfa.setup.keyKind')}</small></li>
<li>${t('mfa.setup.enterCode')}</li>
</ol>
<form method="post" action="/account/two-factor/confirm" novalidate>
${csrfField(o.csrf)}
${codeField({ label: t('mfa.setup.codeLabel'), hint: t('mfa.setup.codeHint'), numeric: true, autofocus: !failed, error: o.errors?.code })}
${passwordAgain(o.recent, o.errors?.password)}
<button type="submit">${t('mfa.setup.submit')}</button>
</form>
<p class="actions"><a href="/account/two-factor">${t('mfa.cancel')}</a></p>`,
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
    { title: t('mfa.codes.title'), user: o.user, csrf: o.csrf },
    html`${notice('info', o.enabled ? t('mfa.codes.enabled') : t('mfa.codes.replaced'))}
<p>${th('mfa.codes.intro', { b: strong })}</p>
<ol class="codes" id="recovery-codes">${o.codes.map((code) => html`<li><code>${code}</code></li>`)}</ol>
<form method="post" action="/account/two-factor/recovery-codes.txt">
${csrfField(o.csrf)}
<input type="hidden" name="codes" value="${o.codes.join(' ')}">
<button type="submit">${t('mfa.codes.download')}</button>
</form>
<p class="actions"><a href="/account/two-factor">${t('mfa.codes.saved')}</a></p>`,
  );
}

/** The text file of the download, in the language of the page that asked for it. */
export function recoveryCodesText(o: { codes: string[]; email: string; productName: string; signInUrl: string }): string {
  return [
    t('mfa.codes.fileTitle', { product: o.productName, email: o.email }),
    '',
    t('mfa.codes.fileUse'),
    t('mfa.codes.fileReplace'),
    '',
    ...o.codes,
    '',
    t('mfa.codes.fileSignIn', { url: o.signInUrl }),
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
    { title: t('mfa.regenerate.title'), user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<p>${t('mfa.regenerate.intro', { left: o.left })}</p>
<form method="post" action="/account/two-factor/recovery-codes" novalidate>
${csrfField(o.csrf)}
${passwordAgain(o.recent, o.errors?.password)}
<button type="submit">${t('mfa.regenerate.submit')}</button>
</form>
<p class="actions"><a href="/account/two-factor">${t('mfa.cancel')}</a></p>`,
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
  const failed = hasErrors(o.errors) || Boolean(o.error);
  return layout(
    { title: t('mfa.disable.title'), user: o.user, csrf: o.csrf, failed },
    html`${errorSummary(o.errors ?? formProblem(o.error))}
<p>${t('mfa.disable.intro')}</p>
<form method="post" action="/account/two-factor/disable" novalidate>
${csrfField(o.csrf)}
${codeField({ label: t('mfa.disable.codeLabel'), hint: t('mfa.disable.codeHint'), numeric: false, autofocus: !failed, error: o.errors?.code })}
${passwordAgain(o.recent, o.errors?.password)}
<button type="submit">${t('mfa.disable.submit')}</button>
</form>
<p class="actions"><a href="/account/two-factor">${t('mfa.cancel')}</a></p>`,
  );
}
