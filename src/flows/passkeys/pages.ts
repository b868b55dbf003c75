import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormPage, formRoute, inFormOrder, loadAuth, sendFormAgain } from '../../http/form-pages.ts';
import { type HttpKit, requestContext, sendPage, timeFormatOf } from '../../http/kit.ts';
import { Csrf, strictObject } from '../../http/schemas.ts';
import { staticAsset } from '../../http/static-assets.ts';
import { t } from '../../i18n/index.ts';
import { ERROR_CODES, errorMessage } from '../../kernel/errors.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { errorPage } from '../../views/error-page.ts';
import { FORM_PROBLEM } from '../../views/forms.ts';
import { PASSKEY_NOTICES, type PasskeysPageOptions, passkeysPage, renameFieldId } from './views.ts';

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

  staticAsset(app, '/assets/simplewebauthn-browser.js', 'text/javascript; charset=utf-8', WEBAUTHN_BROWSER);
  staticAsset(app, '/assets/passkeys.js', 'text/javascript; charset=utf-8', PASSKEY_SCRIPT);

  /** The signed-in session of a page request, or a redirect to the login page already sent. */
  const signedIn = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) reply.redirect(`/login?next=${encodeURIComponent('/account/passkeys')}`, 303);
    return request.auth;
  };
  type PageState = Pick<PasskeysPageOptions, 'info' | 'errors' | 'renaming'>;
  const pageHtml = async (request: FastifyRequest, reply: FastifyReply, auth: ActiveSession, o: PageState = {}) => {
    const list = await service.list(auth.user.id);
    const csrf = kit.csrf.tokenFor(request, reply);
    // A problem of a form this page does not show (the passkey is gone): a problem of the page.
    const errors = Object.fromEntries(
      Object.entries(o.errors ?? {}).map(([name, message]) =>
        name === FORM_PROBLEM || list.some((p) => renameFieldId(p.id) === name) ? [name, message] : [FORM_PROBLEM, message],
      ),
    );
    return passkeysPage({ csrf, user: auth.user, passkeys: list, times: timeFormatOf(kit, request), ...o, errors });
  };
  const notFound = (reply: FastifyReply) => sendPage(reply, errorPage(404, errorMessage('PASSKEY_NOT_FOUND')), 404);

  /** The rename and remove forms answer their problems with the page again, each at its form. */
  const renameForm: FormPage = {
    body: strictObject({ _csrf: Csrf, name: Type.String({ maxLength: 1024 }) }),
    names: { name: () => t('passkeys.rename.fieldName') },
    render: async (request, reply, { values, errors }) => {
      await loadAuth(kit, request);
      const auth = signedIn(request, reply);
      if (!auth) return undefined;
      const { id } = request.params as { id: string };
      const { name, ...rest } = errors;
      const mine = name === undefined ? rest : { ...rest, [renameFieldId(id)]: name };
      return pageHtml(request, reply, auth, { errors: inFormOrder(renameForm, mine), renaming: { id, value: values.name } });
    },
  };
  const removeForm: FormPage = {
    body: strictObject({ _csrf: Csrf }),
    names: {},
    render: async (request, reply, { errors }) => {
      await loadAuth(kit, request);
      const auth = signedIn(request, reply);
      return auth && pageHtml(request, reply, auth, { errors });
    },
  };

  app.get(
    '/account/passkeys',
    { schema: { querystring: Type.Object({ notice: Type.Optional(Type.String({ maxLength: 64 })) }) } },
    async (request, reply) => {
      const auth = signedIn(request, reply);
      if (!auth) return reply;
      const name = (request.query as { notice?: string }).notice;
      const info = name !== undefined && Object.hasOwn(PASSKEY_NOTICES, name) ? t(PASSKEY_NOTICES[name] as string) : undefined;
      return sendPage(reply, await pageHtml(request, reply, auth, { info }));
    },
  );

  app.post(
    '/account/passkeys/:id/rename',
    { ...formRoute(renameForm), schema: { params: IdParams, body: renameForm.body } },
    async (request, reply) => {
      const auth = signedIn(request, reply);
      if (!auth) return reply;
      const name = (request.body as { name: string }).name.trim();
      if (!NAME.test(name)) {
        return sendFormAgain(request, reply, renameForm, { name: t('passkeys.rename.invalid') }, ERROR_CODES.VALIDATION_FAILED.status);
      }
      const { id } = request.params as { id: string };
      if (!(await service.rename(auth, id, name, requestContext(request)))) return notFound(reply);
      return reply.redirect('/account/passkeys?notice=renamed', 303);
    },
  );

  app.post(
    '/account/passkeys/:id/remove',
    { ...formRoute(removeForm), schema: { params: IdParams, body: removeForm.body } },
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
