import type { KoaContextWithOIDC } from 'oidc-provider';
import { html, raw } from '../../views/html.ts';
import { layout } from '../../views/layout.ts';

/** The origins a form on a page may end up at after redirects: Chromium checks form-action on each hop. */
export function formActionCsp(origins: readonly string[]): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self'${origins.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join(';');
}

function originsOf(uris: readonly string[] | undefined): string[] {
  const origins = new Set<string>();
  for (const uri of uris ?? []) {
    try {
      origins.add(new URL(uri).origin);
    } catch {
      // not a URL: nothing to allow
    }
  }
  return [...origins];
}

/** RP-initiated logout asks before signing out (the form is oidc-provider's, with its own CSRF value). */
export function logoutPage(ctx: KoaContextWithOIDC, form: string): void {
  const client = ctx.oidc.client;
  const app = client?.clientName ?? client?.clientId;
  ctx.set('content-security-policy', formActionCsp(originsOf(client?.postLogoutRedirectUris)));
  ctx.set('cache-control', 'no-store');
  ctx.type = 'html';
  ctx.body = layout(
    { title: 'Sign out' },
    html`<p>${app ? `${app} asks to sign you out of Latchkey.` : 'Do you want to sign out of Latchkey?'}</p>
${raw(form)}
<p class="actions"><button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button></p>`,
  ).value;
}

export function signedOutPage(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = layout(
    { title: 'Signed out' },
    html`<p>You have been signed out.</p><p class="actions"><a href="/login">Sign in</a></p>`,
  ).value;
}

/** Errors shown to the browser (e.g. an unregistered redirect_uri): never a redirect to the client. */
export function errorPage(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): void {
  ctx.type = 'html';
  ctx.body = layout(
    { title: 'This sign-in request cannot be completed' },
    html`<p class="notice error" role="alert">${out.error_description ?? out.error ?? 'The request is not valid.'}</p>
<p>Go back to the application and try again. If it keeps happening, tell the application's operator.</p>
<p class="actions"><a href="/">Your Latchkey account</a></p>`,
  ).value;
}
