import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';

const CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};
const HSTS = { maxAge: 31_536_000, includeSubDomains: true };
/**
 * The few pages that offer passkeys load our own two scripts (the WebAuthn browser library and
 * the passkey buttons, both served from /assets/): only they get `script-src 'self'` and
 * `connect-src 'self'` (the buttons call the JSON API). A page with a password field loads the
 * "show password" script (/assets/password-toggle.js) and gets `script-src 'self'` without
 * connect-src. Every other page keeps no script at all.
 */
const OWN_SCRIPTS_DIRECTIVES = { ...CSP_DIRECTIVES, scriptSrc: ["'self'"], connectSrc: ["'self'"] };
/** Pages with a password field load the "show password" script, which fetches nothing. */
const OWN_SCRIPTS_NO_FETCH_DIRECTIVES = { ...CSP_DIRECTIVES, scriptSrc: ["'self'"] };

function cspHeader(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join(';');
}

/**
 * S10, S25: a strict CSP with no inline script and no third party, no framing, no referrer,
 * nosniff, HSTS over https; nothing an account page returns is cached.
 */
export async function registerSecurityHeaders(app: FastifyInstance, https: boolean): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    hsts: https ? HSTS : false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

/**
 * The essential headers for the few responses Fastify makes before any hook runs (a malformed
 * URL such as `/%`, answered through `frameworkErrors`): same CSP, no framing, no caching.
 */
export function setFallbackSecurityHeaders(reply: FastifyReply, https: boolean): void {
  reply
    .header('content-security-policy', cspHeader(CSP_DIRECTIVES))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store');
  if (https) reply.header('strict-transport-security', `max-age=${HSTS.maxAge}; includeSubDomains`);
}

/**
 * For a page that loads our own scripts: the same CSP plus same-origin scripts (no inline script,
 * no eval), and same-origin fetches only when its scripts call the API (`fetches`).
 */
export function allowOwnScripts(reply: FastifyReply, fetches = true): void {
  reply.header('content-security-policy', cspHeader(fetches ? OWN_SCRIPTS_DIRECTIVES : OWN_SCRIPTS_NO_FETCH_DIRECTIVES));
}
