import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HttpKit, requestContext, sendPage, timeFormatOf } from '../../http/kit.ts';
import { Csrf, strictObject } from '../../http/schemas.ts';
import { ERROR_CODES } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { errorPage } from '../../views/error-page.ts';
import { PASSKEY_NOTICES, passkeysPage } from './views.ts';

/**
 * The WebAuthn browser library, from the installed @simplewebauthn/browser (its UMD bundle sets
 * `window.SimpleWebAuthnBrowser`), and our own passkey script: read once at start, served from
 * /assets/ (no CDN, same origin, so the CSP allows exactly these two).
 */
const WEBAUTHN_BROWSER = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js'),
  'utf8',
);
const PASSKEY_SCRIPT = readFileSync(new URL('./passkeys.js', import.meta.url), 'utf8');

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 36 }) });
/** What the API accepts as a name (PasskeyName): 1 to 100 characters, no control characters. */
const NAME = /^[^\u0000-\u001f\u007f]{1,100}$/u;

/**
 * The passkey pages: /account/passkeys (list, rename, remove with plain forms; adding is the
 * script's, over the JSON API) and the two scripts. Removing needs a recent authentication: when
 * the session's is too old, the browser goes to "Confirm it is you" (/account/confirm) and back.
 * With PASSKEYS=off none of these exist.
 */
export async function passkeyPageRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { passkeys, sessions } = kit.deps;
  if (!passkeys.enabled) return;
  const service = passkeys.service;

  const script = (body: string) => async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body);
  app.get('/assets/simplewebauthn-browser.js', script(WEBAUTHN_BROWSER));
  app.get('/assets/passkeys.js', script(PASSKEY_SCRIPT));

  /** The signed-in session of a page request, or a redirect to the login page already sent. */
  const signedIn = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) reply.redirect(`/login?next=${encodeURIComponent('/account/passkeys')}`, 303);
    return request.auth;
  };
  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    auth: ActiveSession,
    o: { info?: string | undefined; error?: string; status?: number } = {},
  ) => {
    const list = await service.list(auth.user.id);
    const csrf = kit.csrf.tokenFor(request, reply);
    return sendPage(reply, passkeysPage({ csrf, user: auth.user, passkeys: list, times: timeFormatOf(kit, request), ...o }), o.status);
  };
  const notFound = (reply: FastifyReply) => sendPage(reply, errorPage(404, ERROR_CODES.PASSKEY_NOT_FOUND.message), 404);

  app.get(
    '/account/passkeys',
    { schema: { querystring: Type.Object({ notice: Type.Optional(Type.String({ maxLength: 64 })) }) } },
    async (request, reply) => {
      const auth = signedIn(request, reply);
      if (!auth) return reply;
      const name = (request.query as { notice?: string }).notice;
      return page(request, reply, auth, {
        info: name !== undefined && Object.hasOwn(PASSKEY_NOTICES, name) ? PASSKEY_NOTICES[name] : undefined,
      });
    },
  );

  app.post(
    '/account/passkeys/:id/rename',
    { schema: { params: IdParams, body: strictObject({ _csrf: Csrf, name: Type.String({ maxLength: 1024 }) }) } },
    async (request, reply) => {
      const auth = signedIn(request, reply);
      if (!auth) return reply;
      const name = (request.body as { name: string }).name.trim();
      if (!NAME.test(name)) {
        const error = 'Give the passkey a name of 1 to 100 characters (no line breaks or control characters).';
        return page(request, reply, auth, { error, status: ERROR_CODES.VALIDATION_FAILED.status });
      }
      const { id } = request.params as { id: string };
      if (!(await service.rename(auth, id, name, requestContext(request)))) return notFound(reply);
      return reply.redirect('/account/passkeys?notice=renamed', 303);
    },
  );

  app.post(
    '/account/passkeys/:id/remove',
    { schema: { params: IdParams, body: strictObject({ _csrf: Csrf }) } },
    async (request, reply) => {
      const auth = signedIn(request, reply);
      if (!auth) return reply;
      if (!sessions.isRecentlyAuthenticated(auth.session)) {
        return reply.redirect(`/account/confirm?next=${encodeURIComponent('/account/passkeys')}`, 303);
      }
      const { id } = request.params as { id: string };
      if (!(await service.remove(auth, id, requestContext(request)))) return notFound(reply);
      return reply.redirect('/account/passkeys?notice=removed', 303);
    },
  );
}

/** Whether the second step of a live pending sign-in offers "Use a passkey": PASSKEYS on and the account has one. */
export async function passkeyOffered(kit: HttpKit, pendingToken: string | undefined): Promise<boolean> {
  if (!kit.deps.passkeys.enabled) return false;
  const live = await kit.deps.mfa.secondStep.livePending(pendingToken);
  return live !== undefined && (await kit.deps.store.passkeys.countForUser(live.user.id)) > 0;
}
