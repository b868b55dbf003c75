import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';
import { PASSKEY_SCRIPTS, passkeySignInButton } from '../passkeys/views.ts';
import { withReturnTo } from '../return-to.ts';
import type { AccountOverview } from '../settings/overview.ts';
import { passwordLink, phoneSection, twoStepSection } from '../settings/views.ts';

/** Fixed notices shown on the login page after a redirect; the query names one, never free text. */
export const LOGIN_NOTICES: Record<string, string> = {
  'password-reset': 'Your password has been changed. Sign in with your new password.',
  'signed-out': 'You have been signed out.',
  'email-confirmed': 'Your email address is confirmed. You can sign in now.',
  'email-changed': 'Your email address has been changed. Sign in again if you are asked to.',
  secured: 'The change was cancelled, every session signed out and the password turned off. We sent you a link to choose a new password.',
  locked:
    'The change was cancelled and every session signed out, but another account uses your previous address now, so your account is locked. Ask the administrator to restore it.',
};

/** The notice a query names, if it is one of ours: own keys only, so `constructor` or `__proto__` show nothing. */
export function loginNotice(name: string | undefined): string | undefined {
  return name !== undefined && Object.hasOwn(LOGIN_NOTICES, name) ? LOGIN_NOTICES[name] : undefined;
}

export function loginPage(o: {
  csrf: string;
  email?: string;
  /** Where to go once signed in (already checked by the S11 rule); carried by the form and the links. */
  returnTo?: string | undefined;
  /** Problems with what was sent, each tied to its field (see src/views/forms.ts). */
  errors?: FormErrors | undefined;
  info?: string;
  usernames: boolean;
  /** CONFIRM_EMAIL is not off: link to "resend the confirmation link". */
  confirmation: boolean;
  /** Set when the right password was given for an unconfirmed address: offer a new link. */
  unconfirmed?: boolean;
  remember?: boolean;
  /** PASSWORDLESS=on: offer "Email me a sign-in link". */
  passwordless?: boolean;
  /** PASSKEYS is on: the passkey button and autofill (shown by the script only where the browser can). */
  passkeys?: boolean;
}): Html {
  const resendEmail = o.email?.includes('@') ? o.email : undefined;
  return layout(
    { title: 'Sign in', scripts: o.passkeys ? PASSKEY_SCRIPTS : undefined, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
${o.unconfirmed ? html`<form method="post" action="/confirm/resend">${csrfField(o.csrf)}${resendEmail ? html`<input type="hidden" name="email" value="${resendEmail}">` : field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', maxLength: 254 })}<button type="submit">Send a new confirmation link</button></form>` : ''}
<form method="post" action="${withReturnTo('/login', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: o.usernames ? 'Email address or username' : 'Email address', type: o.usernames ? 'text' : 'email', autocomplete: o.passkeys ? 'username webauthn' : 'username', value: o.email, maxLength: 254, autofocus: !o.email, error: o.errors?.email })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', autofocus: Boolean(o.email), error: o.errors?.password })}
<p class="check"><input type="checkbox" id="remember" name="remember" value="on" autocomplete="off"${o.remember ? html` checked` : ''}><label for="remember">Keep me signed in on this device</label></p>
<button type="submit">Sign in</button>
</form>
${o.passwordless ? html`<p class="actions"><a href="${withReturnTo('/login/email', o.returnTo)}">Email me a sign-in link</a></p>` : ''}
${o.passkeys ? passkeySignInButton(o.returnTo) : ''}
<p class="actions"><a href="${withReturnTo('/forgot-password', o.returnTo)}">Forgot your password?</a>${o.usernames ? html` <a href="/forgot-username">Forgot your username?</a>` : ''} <a href="${withReturnTo('/register', o.returnTo)}">Create an account</a>${o.confirmation ? html` <a href="/confirm/resend">Resend the confirmation link</a>` : ''}</p>`,
  );
}

/** "Sign out?" with one button: the page applications link to. */
export function logoutPage(o: { csrf: string; returnTo?: string | undefined }): Html {
  return layout(
    { title: 'Sign out' },
    html`<p>Sign out of your account on this device? Applications that use this sign-in will ask you to sign in again.</p>
<form method="post" action="${withReturnTo('/logout', o.returnTo)}">${csrfField(o.csrf)}<button type="submit">Sign out</button></form>`,
  );
}

export function homePage(o: {
  csrf: string;
  account?: AccountOverview | undefined;
  times: TimeFormat;
  info?: string;
  smsAvailable?: boolean;
  passkeys?: boolean;
}): Html {
  const a = o.account;
  if (!a) {
    return layout(
      { title: 'Welcome' },
      html`<p>Latchkey keeps your account safe and gets you back in when you forget your password.</p>
<p class="actions"><a href="/login">Sign in</a> <a href="/register">Create an account</a></p>`,
    );
  }
  return layout(
    { title: 'Your account', user: a, csrf: o.csrf },
    html`${notice('info', o.info)}<dl>
<dt>Email</dt><dd>${a.email}${a.emailConfirmed ? '' : html` (not confirmed yet: <a href="/confirm/resend">send the link again</a>)`}</dd>
${a.username ? html`<dt>Username</dt><dd>${a.username}</dd>` : ''}
<dt>Name</dt><dd>${a.name ?? '—'}</dd>
<dt>Last sign-in</dt><dd>${a.lastLoginAtMs === null ? 'This is your first sign-in.' : html`${timeElement(a.lastLoginAtMs, o.times)}${a.lastLoginIp ? ` from ${a.lastLoginIp}` : ''}`}</dd>
<dt>Sign-ins</dt><dd>${a.loginCount}</dd>
<dt>Signed-in sessions</dt><dd>${a.activeSessions}</dd>
${phoneSection(a, o.smsAvailable === true)}
</dl>
${twoStepSection(a)}
<p class="actions">${passwordLink(a)} <a href="/account/email">Change email address</a> <a href="/account/sessions">Your sessions</a> <a href="/account/activity">Recent security activity</a>${o.passkeys ? html` <a href="/account/passkeys">Passkeys</a>` : ''}</p>
<form method="post" action="/logout">${csrfField(o.csrf)}<button type="submit">Sign out</button></form>`,
  );
}
