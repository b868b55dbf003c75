import { type Html, html } from '../../views/html.ts';
import { csrfField, field, layout, notice } from '../../views/layout.ts';

/** Fixed notices shown on the login page after a redirect; the query names one, never free text. */
export const LOGIN_NOTICES: Record<string, string> = {
  'password-reset': 'Your password has been changed. Sign in with your new password.',
  'signed-out': 'You have been signed out.',
};

/** The notice a query names, if it is one of ours: own keys only, so `constructor` or `__proto__` show nothing. */
export function loginNotice(name: string | undefined): string | undefined {
  return name !== undefined && Object.hasOwn(LOGIN_NOTICES, name) ? LOGIN_NOTICES[name] : undefined;
}

export function loginPage(o: { csrf: string; email?: string; next?: string; error?: string; info?: string }): Html {
  return layout(
    { title: 'Sign in' },
    html`${notice('error', o.error)}${notice('info', o.info)}
<form method="post" action="/login${o.next && o.next !== '/' ? `?next=${encodeURIComponent(o.next)}` : ''}" novalidate>
${csrfField(o.csrf)}
${field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'username', value: o.email, maxLength: 254, autofocus: !o.email })}
${field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', autofocus: Boolean(o.email) })}
<button type="submit">Sign in</button>
</form>
<p class="actions"><a href="/forgot-password">Forgot your password?</a> <a href="/register">Create an account</a></p>`,
  );
}

export function homePage(o: {
  csrf: string;
  user?: { email: string; name: string | null; createdAtMs?: number } | undefined;
  sessionCount?: number;
}): Html {
  if (!o.user) {
    return layout(
      { title: 'Welcome' },
      html`<p>Latchkey keeps your account safe and gets you back in when you forget your password.</p>
<p class="actions"><a href="/login">Sign in</a> <a href="/register">Create an account</a></p>`,
    );
  }
  return layout(
    { title: 'Your account', user: o.user, csrf: o.csrf },
    html`<dl>
<dt>Email</dt><dd>${o.user.email}</dd>
<dt>Name</dt><dd>${o.user.name ?? '—'}</dd>
${o.sessionCount !== undefined ? html`<dt>Signed-in sessions</dt><dd>${o.sessionCount}</dd>` : ''}
</dl>
<form method="post" action="/logout">${csrfField(o.csrf)}<button type="submit">Sign out</button></form>`,
  );
}
