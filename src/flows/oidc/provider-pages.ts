import type { KoaContextWithOIDC } from 'oidc-provider';
import { t } from '../../i18n/index.ts';
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
    { title: t('oidc.logout.title') },
    html`<p>${app ? t('oidc.logout.askedBy', { app }) : t('oidc.logout.ask')}</p>
${raw(form)}
<p class="actions"><button type="submit" form="op.logoutForm" name="logout" value="yes">${t('oidc.logout.confirm')}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t('oidc.logout.stay')}</button></p>`,
  ).value;
}

export function signedOutPage(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = layout(
    { title: t('oidc.signedOut.title') },
    html`<p>${t('oidc.signedOut.body')}</p><p class="actions"><a href="/login">${t('layout.signIn')}</a></p>`,
  ).value;
}

/**
 * The sentence for each OAuth error oidc-provider shows the browser instead of redirecting (the
 * request cannot be trusted to go back); any other is "The request is not valid.".
 */
const PROVIDER_ERRORS: Record<string, string> = {
  invalid_redirect_uri: 'oidc.providerError.redirectUri',
  invalid_client: 'oidc.providerError.client',
  unauthorized_client: 'oidc.providerError.client',
  invalid_client_metadata: 'oidc.providerError.client',
  server_error: 'oidc.providerError.server',
  temporarily_unavailable: 'oidc.providerError.server',
};

/**
 * Errors shown to the browser (e.g. an unregistered redirect_uri): never a redirect to the client.
 * The sentence in the page's language; oidc-provider's code and description (English, for the
 * application's operator) as technical details.
 */
export function errorPage(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): void {
  const key = (out.error && PROVIDER_ERRORS[out.error]) || 'oidc.providerError.invalid';
  const details = [out.error, out.error_description].filter(Boolean).join(': ');
  ctx.type = 'html';
  ctx.body = layout(
    { title: t('oidc.error.title') },
    html`<p class="notice error" role="alert">${t(key)}</p>
<p>${t('oidc.error.tryAgain')}</p>
${details ? html`<p><small>${t('oidc.error.details')} <code>${details}</code></small></p>` : ''}
<p class="actions"><a href="/">${t('oidc.error.home')}</a></p>`,
  ).value;
}
