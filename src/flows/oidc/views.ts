import { type Html, html } from '../../views/html.ts';
import { csrfField, layout } from '../../views/layout.ts';

type User = { email: string; name: string | null };

/** What each scope lets the application see, in words. */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know who you are (a stable id for your account)',
  email: 'See your email address and whether it is confirmed',
  profile: 'See your name and username',
  offline_access: 'Stay connected while you are away (until you sign out everywhere or change your password)',
};

export function consentPage(o: { csrf: string; user: User; uid: string; appName: string; scopes: string[] }): Html {
  const scopes = o.scopes.filter((scope) => Object.hasOwn(SCOPE_WORDS, scope));
  return layout(
    { title: `Allow ${o.appName} to sign you in?`, user: o.user, csrf: o.csrf },
    html`<p><strong>${o.appName}</strong> asks to use your Latchkey account. It will be able to:</p>
<ul class="scopes">${scopes.map((scope) => html`<li>${SCOPE_WORDS[scope] as string}</li>`)}</ul>
<p>It never sees your password.</p>
<form method="post" action="/oidc/interaction/${o.uid}/consent">
${csrfField(o.csrf)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

/**
 * The hop back to the application. A page, not a redirect: Chromium checks a form's
 * `form-action` on every redirect that follows its submission, and the application is on
 * another origin. A meta refresh is a new navigation (no script needed).
 */
export function continuePage(o: { returnTo: string; appName: string }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=${o.returnTo}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Returning to ${o.appName} · Latchkey</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<main>
<h1>Returning to ${o.appName}</h1>
<p><a href="${o.returnTo}">Continue</a></p>
</main>
</body>
</html>`;
}

export function interactionErrorPage(o: { message: string }): Html {
  return layout(
    { title: 'This sign-in request cannot be completed' },
    html`<p class="notice error" role="alert">${o.message}</p>
<p>Go back to the application and start signing in again.</p>
<p class="actions"><a href="/">Your Latchkey account</a></p>`,
  );
}
