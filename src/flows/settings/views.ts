import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { passwordRulesHint } from '../../views/password-rules.ts';
import { type TimeFormat, timeElement, timeText } from '../../views/time.ts';
import type { SessionView } from '../login/session-service.ts';
import type { AccountOverview } from './overview.ts';

type User = { email: string; name: string | null };

export function changePasswordPage(o: {
  csrf: string;
  user: User;
  minLength: number;
  /** PASSWORD_BREACH_CHECK=on, for the rules shown under the new password. */
  breachCheck?: boolean;
  maxLength: number;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
}): Html {
  return layout(
    { title: 'Change your password', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}
<form method="post" action="/account/password" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${field({ name: 'current_password', label: 'Current password', type: 'password', autocomplete: 'current-password', autofocus: true, error: o.errors?.current_password })}
${field({ name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.new_password, hint: passwordRulesHint(o) })}
${field({ name: 'new_password_confirm', label: 'New password again', type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.new_password_confirm })}
<button type="submit">Change password</button>
</form>
<p>Every other signed-in session will be signed out.</p>
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}

export function changeEmailPage(o: {
  csrf: string;
  user: User;
  askPassword?: boolean;
  email?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
}): Html {
  return layout(
    { title: 'Change your email address', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}
<p>Your address is <strong>${o.user.email}</strong>. We will send a link to the new address; the change happens when you follow it.</p>
<form method="post" action="/account/email" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: 'New email address', type: 'email', autocomplete: 'email', maxLength: 254, value: o.email, autofocus: true, error: o.errors?.email })}
${o.askPassword === false ? '' : field({ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password', error: o.errors?.password, hint: 'For your security, confirm it is you.' })}
<button type="submit">Send confirmation link</button>
</form>
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}

/**
 * `/account/password` for an account without a password (PASSWORD_OPTIONAL): the new one twice,
 * no current one; the route sends the session through "Confirm it is you" first when it is not recent.
 */
export function setPasswordPage(o: {
  csrf: string;
  user: User;
  minLength: number;
  maxLength: number;
  breachCheck?: boolean;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
}): Html {
  return layout(
    { title: 'Set a password', user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}
<p>Your account has no password: you sign in with a link or code we email you, or with a passkey. Set a password to sign in with it too.</p>
<form method="post" action="/account/password" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${field({ name: 'new_password', label: 'New password', type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, autofocus: true, error: o.errors?.new_password, hint: passwordRulesHint(o) })}
${field({ name: 'new_password_confirm', label: 'New password again', type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.new_password_confirm })}
<button type="submit">Set password</button>
</form>
<p>Every other signed-in session will be signed out.</p>
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}

/** The password link of the account page: "Set a password" for an account without one. */
export function passwordLink(account: { hasPassword: boolean }): Html {
  return html`<a href="/account/password">${account.hasPassword ? 'Change password' : 'Set a password'}</a>`;
}

export function sessionsPage(o: {
  csrf: string;
  user: User;
  sessions: SessionView[];
  times: TimeFormat;
  info?: string;
  error?: string;
}): Html {
  const items = o.sessions.map(
    (s) => html`<li>
<p><strong>${s.browser}</strong>${s.current ? html` <strong>(this device)</strong>` : ''}${s.remembered ? html` <small>remembered</small>` : ''}</p>
<dl>
<dt>IP address</dt><dd>${s.ip ?? 'unknown'}</dd>
<dt>Signed in</dt><dd>${timeElement(s.createdAtMs, o.times)}</dd>
<dt>Last seen</dt><dd>${timeElement(s.lastSeenAtMs, o.times)}</dd>
</dl>
${s.current ? '' : html`<form method="post" action="/account/sessions/revoke">${csrfField(o.csrf)}<input type="hidden" name="session_id" value="${s.id}"><button type="submit" aria-label="Sign out ${s.browser}, last seen ${timeText(s.lastSeenAtMs, o.times)}">Sign out</button></form>`}
</li>`,
  );
  return layout(
    { title: 'Your sessions', user: o.user, csrf: o.csrf },
    html`${notice('error', o.error)}${notice('info', o.info)}
<ul class="sessions">${items}</ul>
${o.sessions.length > 1 ? html`<form method="post" action="/account/sessions/revoke-others">${csrfField(o.csrf)}<button type="submit">Sign out every other session</button></form>` : ''}
<p class="actions"><a href="/">Back to your account</a></p>`,
  );
}

/** The "Two-step sign-in" section of the account page: whether it is on, and the way to its page. */
export function twoStepSection(account: Pick<AccountOverview, 'twoFactor'>): Html {
  const { totp, recoveryCodesLeft } = account.twoFactor;
  const status = totp
    ? `On: a code from your authenticator app after your password (${recoveryCodesLeft === 1 ? 'one recovery code' : `${recoveryCodesLeft} recovery codes`} left).`
    : 'Off: your password alone signs you in.';
  return html`<section aria-labelledby="two-step-heading">
<h2 id="two-step-heading">Two-step sign-in</h2>
<p>${status}</p>
<p class="actions"><a href="/account/two-factor">${totp ? 'Manage two-step sign-in' : 'Turn on two-step sign-in'}</a></p>
</section>`;
}

/**
 * The phone rows of the account page (a `<dl>` fragment): the verified number and a link to
 * /account/phone to add, change or remove it. Shown only where SMS can be sent, or when a number
 * is already there (so it can still be removed).
 */
export function phoneSection(account: Pick<AccountOverview, 'phone'>, smsAvailable: boolean): Html {
  if (!smsAvailable && account.phone === null) return html``;
  return html`<dt>Phone</dt><dd>${account.phone ?? '—'} <a href="/account/phone">${account.phone ? 'Change or remove' : 'Add a phone number'}</a></dd>`;
}
