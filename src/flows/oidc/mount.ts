import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { INTERACTION_PATH } from './settings.ts';

const DISCOVERY = '/.well-known/openid-configuration';

/** True for the requests oidc-provider answers itself (not the interaction pages, which are ours). */
export function isProviderPath(url: string): boolean {
  const path = url.split('?', 1)[0] as string;
  if (path === DISCOVERY) return true;
  return path.startsWith('/oidc/') && path !== INTERACTION_PATH && !path.startsWith(`${INTERACTION_PATH}/`);
}

/**
 * Hands oidc-provider's requests over untouched: it reads the raw body itself, so they are
 * hijacked in an onRequest hook, before Fastify parses anything. Register it after the security
 * headers (they are already on the raw response) and before the form and API guards (the token
 * endpoint takes form posts from other servers, authenticated by client credentials, not CSRF).
 */
export function mountOidcProvider(app: FastifyInstance, provider: () => Promise<Provider>, publicUrl: URL): void {
  let handle: ReturnType<Provider['callback']> | undefined;
  app.addHook('onRequest', async (request, reply) => {
    if (!isProviderPath(request.url)) return;
    // Built on first use: it reads the signing keys from the (migrated) database.
    handle ??= (await provider()).callback();
    pinOrigin(request.raw.headers, publicUrl, request.ip);
    reply.hijack();
    await handle(request.raw, reply.raw);
  });
}

/**
 * oidc-provider builds the URLs it publishes (discovery, redirects, form actions) from the
 * request's host and protocol. Links come from PUBLIC_URL only (S9): whatever Host or
 * X-Forwarded-* the client sent, the provider sees PUBLIC_URL's host and protocol, and the
 * client address Latchkey decided (TRUST_PROXY applied). The provider runs with `proxy = true`
 * so that it reads exactly these headers.
 */
export function pinOrigin(headers: IncomingHttpHeaders, publicUrl: URL, clientIp: string): void {
  headers.host = publicUrl.host;
  headers['x-forwarded-host'] = publicUrl.host;
  headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
  headers['x-forwarded-for'] = clientIp;
  delete headers.forwarded;
}
