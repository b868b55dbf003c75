import type { PasskeyRecord } from '../../store/passkeys-repository.ts';
import { errorSummary, type FormErrors, formProblem, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';

/** The two scripts a page with passkey buttons loads, both ours and same-origin (assets.ts). */
export const PASSKEY_SCRIPTS = ['/assets/simplewebauthn-browser.js', '/assets/passkeys.js'] as const;

/**
 * Where the passkey script reports a cancelled or refused ceremony: a polite live region, present
 * and empty from the start so screen readers announce what is written into it (no `status` role:
 * the page's own notices keep that one to themselves).
 */
export function passkeyStatus(): Html {
  return html`<p class="passkey-status" data-passkey-status aria-live="polite"></p>`;
}

/**
 * The login page's "Sign in with a passkey" button: hidden, shown by the script only when the
 * browser can use passkeys; it goes to `returnTo` (already checked by the S11 rule) or `/`.
 */
export function passkeySignInButton(returnTo: string | undefined): Html {
  return html`<button type="button" class="secondary" data-passkey-login data-return-to="${returnTo ?? '/'}" hidden>Sign in with a passkey</button>
${passkeyStatus()}`;
}

/** The second step's "Use a passkey" button (hidden until the script finds passkey support). */
export function passkeySecondFactorButton(returnTo: string | undefined): Html {
  return html`<button type="button" class="secondary" data-passkey-second-factor data-return-to="${returnTo ?? '/'}" hidden>Use a passkey</button>
${passkeyStatus()}`;
}

/** Fixed notices of the passkeys page after a redirect; the query names one, never free text. */
export const PASSKEY_NOTICES: Record<string, string> = {
  added: 'The passkey was added. You can sign in with it now.',
  renamed: 'The passkey was renamed.',
  removed: 'The passkey was removed. It no longer signs you in.',
};

interface User {
  email: string;
  name: string | null;
}

/**
 * /account/passkeys: each passkey with its name, when it was added and last used, and whether it
 * is synced; a plain form to rename it and one to remove it (no JavaScript needed). Adding one
 * needs the browser's WebAuthn, so that form is hidden until the script finds it.
 */
export function passkeysPage(o: {
  csrf: string;
  user: User;
  passkeys: PasskeyRecord[];
  times: TimeFormat;
  info?: string | undefined;
  error?: string | undefined;
  errors?: FormErrors | undefined;
}): Html {
  const items = o.passkeys.map(
    (p) => html`<li>
<p><strong>${p.name}</strong></p>
<dl>
<dt>Added</dt><dd>${timeElement(p.createdAtMs, o.times)}</dd>
<dt>Last used</dt><dd>${p.lastUsedAtMs === null ? 'never' : timeElement(p.lastUsedAtMs, o.times)}</dd>
<dt>Kind</dt><dd>${p.deviceType === 'multiDevice' ? 'Synced (available on your other devices through your passkey provider)' : 'Bound to one device'}</dd>
</dl>
<form method="post" action="/account/passkeys/${p.id}/rename">${csrfField(o.csrf)}
<label for="name-${p.id}">New name for ${p.name}</label>
<input id="name-${p.id}" name="name" type="text" autocomplete="off" required maxlength="100" value="${p.name}">
<button type="submit">Rename</button>
</form>
<form method="post" action="/account/passkeys/${p.id}/remove">${csrfField(o.csrf)}<button type="submit" class="secondary" aria-label="Remove ${p.name}">Remove</button></form>
</li>`,
  );
  return layout(
    { title: 'Passkeys', user: o.user, csrf: o.csrf, scripts: PASSKEY_SCRIPTS, failed: hasErrors(o.errors) || Boolean(o.error) },
    html`${errorSummary(o.errors ?? formProblem(o.error))}${notice('info', o.info)}
<p>A passkey signs you in with your device's screen lock or security key instead of a password, and it cannot be phished.</p>
${o.passkeys.length === 0 ? html`<p>You have no passkeys yet.</p>` : html`<ul class="sessions">${items}</ul>`}
<h2>Add a passkey</h2>
<p data-passkey-unsupported>Adding a passkey needs a browser that supports passkeys, with JavaScript turned on.</p>
<form data-passkey-add hidden>
<label for="passkey-name">Name of the new passkey</label>
<input id="passkey-name" name="name" type="text" autocomplete="off" maxlength="100" aria-describedby="passkey-name-hint">
<small id="passkey-name-hint">Optional, for example the device it is on. Without one, it is named after your browser.</small>
<button type="submit">Add a passkey</button>
</form>
${passkeyStatus()}
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}
