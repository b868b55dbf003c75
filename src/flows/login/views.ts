import { t, th } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { type TimeFormat, timeElement } from '../../views/time.ts';
import { PASSKEY_SCRIPTS, passkeySignInButton } from '../passkeys/views.ts';
import { withReturnTo } from '../return-to.ts';
import type { AccountOverview } from '../settings/overview.ts';
import { passwordLink, phoneSection, twoStepSection } from '../settings/views.ts';

/** The catalogue keys of the fixed notices shown on the login page after a redirect. */
const LOGIN_NOTICE_KEYS: Record<string, string> = {
  'password-reset': 'login.notice.passwordReset',
  'signed-out': 'login.notice.signedOut',
  'email-confirmed': 'login.notice.emailConfirmed',
  'email-changed': 'login.notice.emailChanged',
  secured: 'login.notice.secured',
  locked: 'login.notice.locked',
};

/**
 * Fixed notices shown on the login page after a redirect, by name, each read in the current
 * language (a getter: `LOGIN_NOTICES.locked` is the sentence of the request's language).
 */
export const LOGIN_NOTICES: Readonly<Record<string, string>> = Object.defineProperties(
  {},
  Object.fromEntries(Object.entries(LOGIN_NOTICE_KEYS).map(([name, key]) => [name, { get: () => t(key), enumerable: true }])),
);

/** The notice a query names, if it is one of ours: own keys only, so `constructor` or `__proto__` show nothing. */
export function loginNotice(name: string | undefined): string | undefined {
  return name !== undefined && Object.hasOwn(LOGIN_NOTICE_KEYS, name) ? t(LOGIN_NOTICE_KEYS[name] as string) : undefined;
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
    { title: t('login.title'), scripts: o.passkeys ? PASSKEY_SCRIPTS : undefined, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}${notice('info', o.info)}
${o.unconfirmed ? html`<form method="post" action="/confirm/resend">${csrfField(o.csrf)}${resendEmail ? html`<input type="hidden" name="email" value="${resendEmail}">` : field({ name: 'email', label: t('login.email'), type: 'email', autocomplete: 'email', maxLength: 254 })}<button type="submit">${t('login.resendButton')}</button></form>` : ''}
<form method="post" action="${withReturnTo('/login', o.returnTo)}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t(o.usernames ? 'login.emailOrUsername' : 'login.email'), type: o.usernames ? 'text' : 'email', autocomplete: o.passkeys ? 'username webauthn' : 'username', value: o.email, maxLength: 254, autofocus: !o.email, error: o.errors?.email })}
${field({ name: 'password', label: t('login.password'), type: 'password', autocomplete: 'current-password', autofocus: Boolean(o.email), error: o.errors?.password })}
<p class="check"><input type="checkbox" id="remember" name="remember" value="on" autocomplete="off"${o.remember ? html` checked` : ''}><label for="remember">${t('login.remember')}</label></p>
<button type="submit">${t('login.submit')}</button>
</form>
${o.passwordless ? html`<p class="actions"><a href="${withReturnTo('/login/email', o.returnTo)}">${t('login.emailMe')}</a></p>` : ''}
${o.passkeys ? passkeySignInButton(o.returnTo) : ''}
<p class="actions"><a href="${withReturnTo('/forgot-password', o.returnTo)}">${t('login.forgotPassword')}</a>${o.usernames ? html` <a href="/forgot-username">${t('login.forgotUsername')}</a>` : ''} <a href="${withReturnTo('/register', o.returnTo)}">${t('login.createAccount')}</a>${o.confirmation ? html` <a href="/confirm/resend">${t('login.resend')}</a>` : ''}</p>`,
  );
}

/** "Sign out?" with one button: the page applications link to. */
export function logoutPage(o: { csrf: string; returnTo?: string | undefined }): Html {
  return layout(
    { title: t('login.logout.title') },
    html`<p>${t('login.logout.intro')}</p>
<form method="post" action="${withReturnTo('/logout', o.returnTo)}">${csrfField(o.csrf)}<button type="submit">${t('login.logout.submit')}</button></form>`,
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
      { title: t('login.home.welcomeTitle') },
      html`<p>${t('login.home.welcomeIntro')}</p>
<p class="actions"><a href="/login">${t('login.home.signIn')}</a> <a href="/register">${t('login.home.createAccount')}</a></p>`,
    );
  }
  return layout(
    { title: t('login.home.title'), user: a, csrf: o.csrf },
    html`${notice('info', o.info)}<dl>
<dt>${t('login.home.email')}</dt><dd>${a.email}${a.emailConfirmed ? '' : html` ${th('login.home.notConfirmed', { link: (chunks) => html`<a href="/confirm/resend">${chunks}</a>` })}`}</dd>
${a.username ? html`<dt>${t('login.home.username')}</dt><dd>${a.username}</dd>` : ''}
<dt>${t('login.home.name')}</dt><dd>${a.name ?? '—'}</dd>
<dt>${t('login.home.lastSignIn')}</dt><dd>${a.lastLoginAtMs === null ? t('login.home.firstSignIn') : a.lastLoginIp ? th('login.home.lastSignInFrom', { when: timeElement(a.lastLoginAtMs, o.times), ip: a.lastLoginIp }) : timeElement(a.lastLoginAtMs, o.times)}</dd>
<dt>${t('login.home.signIns')}</dt><dd>${a.loginCount}</dd>
<dt>${t('login.home.sessions')}</dt><dd>${a.activeSessions}</dd>
${phoneSection(a, o.smsAvailable === true)}
</dl>
${twoStepSection(a)}
<p class="actions">${passwordLink(a)} <a href="/account/email">${t('login.home.changeEmail')}</a> <a href="/account/sessions">${t('login.home.yourSessions')}</a> <a href="/account/activity">${t('login.home.activity')}</a>${o.passkeys ? html` <a href="/account/passkeys">${t('login.home.passkeys')}</a>` : ''}</p>
<form method="post" action="/logout">${csrfField(o.csrf)}<button type="submit">${t('login.home.signOut')}</button></form>`,
  );
}
