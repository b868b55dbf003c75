import { t, th } from '../../i18n/index.ts';
import { errorSummary, type FormErrors, field, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout, notice } from '../../views/layout.ts';
import { passwordRulesHint } from '../../views/password-rules.ts';
import { type TimeFormat, timeElement, timeText } from '../../views/time.ts';
import type { SessionView } from '../login/session-service.ts';
import type { AccountOverview } from './overview.ts';

type User = { email: string; name: string | null };

/** The `<b>` tag of messages: an address in bold. */
export const strong = (chunks: Html) => html`<strong>${chunks}</strong>`;

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
    { title: t('settings.password.changeTitle'), user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}
<form method="post" action="/account/password" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${field({ name: 'current_password', label: t('settings.password.current'), type: 'password', autocomplete: 'current-password', autofocus: true, error: o.errors?.current_password })}
${field({ name: 'new_password', label: t('settings.password.new'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.new_password, hint: passwordRulesHint(o) })}
${field({ name: 'new_password_confirm', label: t('settings.password.newAgain'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.new_password_confirm })}
<button type="submit">${t('settings.password.changeButton')}</button>
</form>
<p>${t('settings.password.othersSignedOut')}</p>
<p class="actions"><a href="/">${t('settings.backToAccount')}</a></p>`,
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
    { title: t('settings.email.title'), user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}
<p>${th('settings.email.intro', { email: o.user.email, b: strong })}</p>
<form method="post" action="/account/email" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: t('settings.email.new'), type: 'email', autocomplete: 'email', maxLength: 254, value: o.email, autofocus: true, error: o.errors?.email })}
${o.askPassword === false ? '' : field({ name: 'password', label: t('settings.email.password'), type: 'password', autocomplete: 'current-password', error: o.errors?.password, hint: t('settings.email.passwordHint') })}
<button type="submit">${t('settings.email.button')}</button>
</form>
<p class="actions"><a href="/">${t('settings.backToAccount')}</a></p>`,
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
    { title: t('settings.password.setTitle'), user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}
<p>${t('settings.password.setIntro')}</p>
<form method="post" action="/account/password" novalidate>
${csrfField(o.csrf)}
<input type="text" name="username" autocomplete="username" value="${o.user.email}" hidden>
${field({ name: 'new_password', label: t('settings.password.new'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, autofocus: true, error: o.errors?.new_password, hint: passwordRulesHint(o) })}
${field({ name: 'new_password_confirm', label: t('settings.password.newAgain'), type: 'password', autocomplete: 'new-password', minLength: o.minLength, maxLength: o.maxLength, error: o.errors?.new_password_confirm })}
<button type="submit">${t('settings.password.setButton')}</button>
</form>
<p>${t('settings.password.othersSignedOut')}</p>
<p class="actions"><a href="/">${t('settings.backToAccount')}</a></p>`,
  );
}

/** The password link of the account page: "Set a password" for an account without one. */
export function passwordLink(account: { hasPassword: boolean }): Html {
  return html`<a href="/account/password">${account.hasPassword ? t('settings.password.changeButton') : t('settings.password.setTitle')}</a>`;
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
<p><strong>${s.browser}</strong>${s.current ? html` <strong>${t('settings.sessions.thisDevice')}</strong>` : ''}${s.remembered ? html` <small>${t('settings.sessions.remembered')}</small>` : ''}</p>
<dl>
<dt>${t('settings.sessions.ip')}</dt><dd>${s.ip ?? t('settings.sessions.unknown')}</dd>
<dt>${t('settings.sessions.signedIn')}</dt><dd>${timeElement(s.createdAtMs, o.times)}</dd>
<dt>${t('settings.sessions.lastSeen')}</dt><dd>${timeElement(s.lastSeenAtMs, o.times)}</dd>
</dl>
${s.current ? '' : html`<form method="post" action="/account/sessions/revoke">${csrfField(o.csrf)}<input type="hidden" name="session_id" value="${s.id}"><button type="submit" aria-label="${t('settings.sessions.signOutLabel', { browser: s.browser, lastSeen: timeText(s.lastSeenAtMs, o.times) })}">${t('settings.sessions.signOut')}</button></form>`}
</li>`,
  );
  return layout(
    { title: t('settings.sessions.title'), user: o.user, csrf: o.csrf },
    html`${notice('error', o.error)}${notice('info', o.info)}
<ul class="sessions">${items}</ul>
${o.sessions.length > 1 ? html`<form method="post" action="/account/sessions/revoke-others">${csrfField(o.csrf)}<button type="submit">${t('settings.sessions.signOutOthers')}</button></form>` : ''}
<p class="actions"><a href="/">${t('settings.backToAccount')}</a></p>`,
  );
}

/** The "Two-step sign-in" section of the account page: whether it is on, and the way to its page. */
export function twoStepSection(account: Pick<AccountOverview, 'twoFactor'>): Html {
  const { totp, recoveryCodesLeft } = account.twoFactor;
  const status = totp ? t('settings.twoStep.on', { count: recoveryCodesLeft }) : t('settings.twoStep.off');
  return html`<section aria-labelledby="two-step-heading">
<h2 id="two-step-heading">${t('settings.twoStep.heading')}</h2>
<p>${status}</p>
<p class="actions"><a href="/account/two-factor">${totp ? t('settings.twoStep.manage') : t('settings.twoStep.turnOn')}</a></p>
</section>`;
}

/**
 * The phone rows of the account page (a `<dl>` fragment): the verified number and a link to
 * /account/phone to add, change or remove it. Shown only where SMS can be sent, or when a number
 * is already there (so it can still be removed).
 */
export function phoneSection(account: Pick<AccountOverview, 'phone'>, smsAvailable: boolean): Html {
  if (!smsAvailable && account.phone === null) return html``;
  return html`<dt>${t('settings.phone.label')}</dt><dd>${account.phone ?? '—'} <a href="/account/phone">${account.phone ? t('settings.phone.change') : t('settings.phone.add')}</a></dd>`;
}
