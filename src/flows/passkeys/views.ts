import { t } from '../../i18n/index.ts';
import type { PasskeyRecord } from '../../store/passkeys-repository.ts';
import { errorSummary, type FormErrors, fieldProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';

/** The two scripts a page with passkey buttons loads, both ours and same-origin (assets.ts). */
export const PASSKEY_SCRIPTS = ['/assets/simplewebauthn-browser.js', '/assets/passkeys.js'] as const;

/**
 * What the passkey script may have to say, by the data attribute it reads them from: the script
 * has no catalogue, so the page hands it its sentences in the page's language.
 */
const SCRIPT_MESSAGES: Record<string, string> = {
  'data-not-allowed': 'passkeys.script.notAllowed',
  'data-invalid-state': 'passkeys.script.invalidState',
  'data-security': 'passkeys.script.security',
  'data-not-supported': 'passkeys.script.notSupported',
  'data-aborted': 'passkeys.script.aborted',
  'data-browser-failed': 'passkeys.script.browserFailed',
  'data-failed': 'passkeys.script.failed',
};

/**
 * Where the passkey script reports a cancelled or refused ceremony: a polite live region, present
 * and empty from the start so screen readers announce what is written into it (no `status` role:
 * the page's own notices keep that one to themselves). It carries the script's sentences.
 */
export function passkeyStatus(): Html {
  const messages = Object.entries(SCRIPT_MESSAGES).map(([attribute, key]) => html` ${attribute}="${t(key)}"`);
  return html`<p class="passkey-status" data-passkey-status aria-live="polite"${messages}></p>`;
}

/**
 * The login page's "Sign in with a passkey" button: hidden, shown by the script only when the
 * browser can use passkeys; it goes to `returnTo` (already checked by the S11 rule) or `/`.
 */
export function passkeySignInButton(returnTo: string | undefined): Html {
  return html`<button type="button" class="secondary" data-passkey-login data-return-to="${returnTo ?? '/'}" hidden>${t('passkeys.signIn')}</button>
${passkeyStatus()}`;
}

/** The second step's "Use a passkey" button (hidden until the script finds passkey support). */
export function passkeySecondFactorButton(returnTo: string | undefined): Html {
  return html`<button type="button" class="secondary" data-passkey-second-factor data-return-to="${returnTo ?? '/'}" hidden>${t('passkeys.use')}</button>
${passkeyStatus()}`;
}

/** Fixed notices of the passkeys page after a redirect (their catalogue keys); the query names one, never free text. */
export const PASSKEY_NOTICES: Record<string, string> = {
  added: 'passkeys.notice.added',
  renamed: 'passkeys.notice.renamed',
  removed: 'passkeys.notice.removed',
};

/** The field a passkey's rename form has: its problem is keyed by it, so the summary links there. */
export function renameFieldId(passkeyId: string): string {
  return `name-${passkeyId}`;
}

interface User {
  email: string;
  name: string | null;
}

function passkeyItem(p: PasskeyRecord, o: PasskeysPageOptions): Html {
  const fieldId = renameFieldId(p.id);
  const problem = fieldProblem(fieldId, o.errors?.[fieldId]);
  const value = o.renaming?.id === p.id && o.renaming.value !== undefined ? o.renaming.value : p.name;
  return html`<li>
<p><strong>${p.name}</strong></p>
<dl>
<dt>${t('passkeys.added')}</dt><dd>${timeElement(p.createdAtMs, o.times)}</dd>
<dt>${t('passkeys.lastUsed')}</dt><dd>${p.lastUsedAtMs === null ? t('passkeys.never') : timeElement(p.lastUsedAtMs, o.times)}</dd>
<dt>${t('passkeys.kind')}</dt><dd>${p.deviceType === 'multiDevice' ? t('passkeys.synced') : t('passkeys.bound')}</dd>
</dl>
<form method="post" action="/account/passkeys/${p.id}/rename">${csrfField(o.csrf)}
<label for="${fieldId}">${t('passkeys.rename.label', { name: p.name })}</label>
${problem.message}<input id="${fieldId}" name="name" type="text" autocomplete="off" required maxlength="100" value="${value}"${problem.attributes}>
<button type="submit">${t('passkeys.rename.submit')}</button>
</form>
<form method="post" action="/account/passkeys/${p.id}/remove">${csrfField(o.csrf)}<button type="submit" class="secondary" aria-label="${t('passkeys.remove.label', { name: p.name })}">${t('passkeys.remove.submit')}</button></form>
</li>`;
}

export interface PasskeysPageOptions {
  csrf: string;
  user: User;
  passkeys: PasskeyRecord[];
  times: TimeFormat;
  info?: string | undefined;
  /** Problems of a rename or remove form: by field (`renameFieldId`), or of the form as a whole. */
  errors?: FormErrors | undefined;
  /** The name typed into a rename form that had a problem, shown again in that form. */
  renaming?: { id: string; value: string | undefined } | undefined;
}

/**
 * /account/passkeys: each passkey with its name, when it was added and last used, and whether it
 * is synced; a plain form to rename it and one to remove it (no JavaScript needed). Adding one
 * needs the browser's WebAuthn, so that form is hidden until the script finds it.
 */
export function passkeysPage(o: PasskeysPageOptions): Html {
  const items = o.passkeys.map((p) => passkeyItem(p, o));
  return layout(
    { title: t('passkeys.title'), user: o.user, csrf: o.csrf, scripts: PASSKEY_SCRIPTS, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
<p>${t('passkeys.intro')}</p>
${o.passkeys.length === 0 ? html`<p>${t('passkeys.none')}</p>` : html`<ul class="sessions">${items}</ul>`}
<h2>${t('passkeys.add.heading')}</h2>
<p data-passkey-unsupported>${t('passkeys.add.unsupported')}</p>
<form data-passkey-add hidden>
<label for="passkey-name">${t('passkeys.add.nameLabel')}</label>
<input id="passkey-name" name="name" type="text" autocomplete="off" maxlength="100" aria-describedby="passkey-name-hint">
<small id="passkey-name-hint">${t('passkeys.add.nameHint')}</small>
<button type="submit">${t('passkeys.add.submit')}</button>
</form>
${passkeyStatus()}
<p class="actions"><a href="/">${t('passkeys.back')}</a></p>`,
  );
}
