import { currentLocale, t, th } from '../../i18n/index.ts';
import { textDirection } from '../../i18n/locales.ts';
import { errorSummary, type FormErrors, hasErrors } from '../../views/forms.ts';
import { type Html, html } from '../../views/html.ts';
import { csrfField, layout } from '../../views/layout.ts';

type User = { email: string; name: string | null };

/** What each scope lets the application see, in words (catalogue keys). */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'oidc.scope.openid',
  email: 'oidc.scope.email',
  profile: 'oidc.scope.profile',
  offline_access: 'oidc.scope.offlineAccess',
};

export function consentPage(o: {
  csrf: string;
  user: User;
  uid: string;
  appName: string;
  scopes: string[];
  errors?: FormErrors | undefined;
}): Html {
  const scopes = o.scopes.filter((scope) => Object.hasOwn(SCOPE_WORDS, scope));
  return layout(
    { title: t('oidc.consent.title', { app: o.appName }), user: o.user, csrf: o.csrf, failed: hasErrors(o.errors) },
    html`${errorSummary(o.errors)}<p>${th('oidc.consent.intro', { app: o.appName, b: (chunks) => html`<strong>${chunks}</strong>` })}</p>
<ul class="scopes">${scopes.map((scope) => html`<li>${t(SCOPE_WORDS[scope] as string)}</li>`)}</ul>
<p>${t('oidc.consent.password')}</p>
<form method="post" action="/oidc/interaction/${o.uid}/consent">
${csrfField(o.csrf)}
<button type="submit" name="decision" value="allow">${t('oidc.consent.allow')}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t('oidc.consent.deny')}</button>
</form>`,
  );
}

/**
 * The hop back to the application. A page, not a redirect: Chromium checks a form's
 * `form-action` on every redirect that follows its submission, and the application is on
 * another origin. A meta refresh is a new navigation (no script needed).
 */
export function continuePage(o: { returnTo: string; appName: string }): Html {
  const locale = currentLocale();
  const title = t('oidc.continue.title', { app: o.appName });
  return html`<!doctype html>
<html lang="${locale}" dir="${textDirection(locale)}">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=${o.returnTo}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Latchkey</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<main>
<h1>${title}</h1>
<p><a href="${o.returnTo}">${t('oidc.continue.link')}</a></p>
</main>
</body>
</html>`;
}

export function interactionErrorPage(o: { message: string }): Html {
  return layout(
    { title: t('oidc.error.title') },
    html`<p class="notice error" role="alert">${o.message}</p>
<p>${t('oidc.error.startAgain')}</p>
<p class="actions"><a href="/">${t('oidc.error.home')}</a></p>`,
  );
}
