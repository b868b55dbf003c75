import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HttpKit, requestContext, sendApiError, setSessionCookie } from '../../http/kit.ts';
import { strictObject } from '../../http/schemas.ts';
import { t } from '../../i18n/index.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { issueDeviceCookie } from '../login/device-cookies.ts';
import { SecondStepCookies } from '../mfa/second-step-cookies.ts';
import { finishSecondStep, pendingLoginOf } from '../mfa/second-step-routes.ts';
import { type PasskeyProblem, summarise } from './service.ts';

const B64 = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[A-Za-z0-9_-]+={0,2}$' });
/** What `startRegistration()` / `startAuthentication()` of @simplewebauthn/browser return (WebAuthn's toJSON()). */
const CredentialFields = {
  id: B64(1400),
  rawId: B64(1400),
  type: Type.Literal('public-key'),
  clientExtensionResults: Type.Object({}, { additionalProperties: true, maxProperties: 16 }),
  authenticatorAttachment: Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')])),
};
const RegistrationResponse = strictObject({
  ...CredentialFields,
  response: strictObject({
    clientDataJSON: B64(4096),
    attestationObject: B64(16_384),
    authenticatorData: Type.Optional(B64(16_384)),
    transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 })),
    publicKeyAlgorithm: Type.Optional(Type.Integer()),
    publicKey: Type.Optional(B64(4096)),
  }),
});
const AuthenticationResponse = strictObject({
  ...CredentialFields,
  response: strictObject({
    clientDataJSON: B64(4096),
    authenticatorData: B64(16_384),
    signature: B64(2048),
    userHandle: Type.Optional(Type.Union([B64(128), Type.Null()])),
  }),
});
/** A passkey's name: 1 to 100 printable characters. */
export const PasskeyName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 36 }) });
const EmptyBody = Type.Optional(strictObject({}));

/** The name a passkey gets when none is given: the browser it was added from, then "Passkey" (in the request's language). */
export function defaultPasskeyName(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : undefined;
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : undefined;
  if (browser && system) return t('passkeys.defaultName', { browser, system });
  return browser ?? system ?? t('passkeys.defaultNameAlone');
}

/**
 * The passkey JSON API. Adding and removing need a recent authentication (REAUTH_REQUIRED: then
 * `POST /api/reauthenticate`, or `/api/reauthenticate/passkey/*`). Sign-in options and
 * verifications count against the per-IP sign-in limit. With PASSKEYS=off none of these routes
 * exist (404).
 */
export async function passkeyApiRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { passkeys, sessions, limits, deviceCookies } = kit.deps;
  if (!passkeys.enabled) return;
  const service = passkeys.service;

  const signedIn = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) sendApiError(reply, 'NOT_AUTHENTICATED');
    return request.auth;
  };
  const recentlyAuthenticated = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    const auth = signedIn(request, reply);
    if (auth && !sessions.isRecentlyAuthenticated(auth.session)) {
      sendApiError(reply, 'REAUTH_REQUIRED');
      return undefined;
    }
    return auth;
  };
  const limited = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const decision = await limits.loginPerIp.consume(request.ip ?? 'unknown');
    if (!decision.allowed) sendApiError(reply, 'RATE_LIMITED', undefined, decision.retryAfterSeconds);
    return !decision.allowed;
  };
  const problem = (reply: FastifyReply, code: PasskeyProblem | 'SECOND_FACTOR_EXPIRED') => sendApiError(reply, code);
  /** A pending sign-in that is over: its cookie goes too, as on the code routes. */
  const pendingOver = (reply: FastifyReply) => {
    const cookies = new SecondStepCookies(kit.cookies);
    reply.clearCookie(cookies.pending, cookies.pendingOptions(0));
    return sendApiError(reply, 'SECOND_FACTOR_EXPIRED');
  };

  // --- Settings -----------------------------------------------------------------------------
  app.get('/api/passkeys', async (request, reply) => {
    const auth = signedIn(request, reply);
    if (!auth) return reply;
    return reply.send({ passkeys: (await service.list(auth.user.id)).map(summarise) });
  });

  app.post('/api/passkeys/register/options', { schema: { body: EmptyBody } }, async (request, reply) => {
    const auth = recentlyAuthenticated(request, reply);
    if (!auth) return reply;
    const options = await service.registrationOptions(auth);
    if (!options.ok) return problem(reply, options.code);
    return reply.send(options.value);
  });

  app.post(
    '/api/passkeys/register/verify',
    { schema: { body: strictObject({ response: RegistrationResponse, name: Type.Optional(PasskeyName) }) } },
    async (request, reply) => {
      const auth = recentlyAuthenticated(request, reply);
      if (!auth) return reply;
      const body = request.body as { response: RegistrationResponseJSON; name?: string };
      const name = body.name?.trim() || defaultPasskeyName(request.headers['user-agent']);
      const result = await service.register(auth, body.response, name, requestContext(request));
      if (!result.ok) return problem(reply, result.code);
      return reply.status(201).send({ passkey: summarise(result.value) });
    },
  );

  app.patch('/api/passkeys/:id', { schema: { params: IdParams, body: strictObject({ name: PasskeyName }) } }, async (request, reply) => {
    const auth = signedIn(request, reply);
    if (!auth) return reply;
    const { id } = request.params as { id: string };
    const name = (request.body as { name: string }).name.trim();
    if (name === '') return sendApiError(reply, 'VALIDATION_FAILED', t('passkeys.api.blankName'));
    const renamed = await service.rename(auth, id, name, requestContext(request));
    if (!renamed) return sendApiError(reply, 'PASSKEY_NOT_FOUND');
    return reply.send({ passkey: summarise(renamed) });
  });

  app.delete('/api/passkeys/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const auth = recentlyAuthenticated(request, reply);
    if (!auth) return reply;
    const { id } = request.params as { id: string };
    if (!(await service.remove(auth, id, requestContext(request)))) return sendApiError(reply, 'PASSKEY_NOT_FOUND');
    return reply.status(204).send();
  });

  // --- Sign-in with a passkey alone ------------------------------------------------------------
  app.post('/api/login/passkey/options', { schema: { body: EmptyBody } }, async (request, reply) => {
    if (await limited(request, reply)) return reply;
    return reply.send(await service.loginOptions());
  });

  app.post(
    '/api/login/passkey/verify',
    { schema: { body: strictObject({ response: AuthenticationResponse, remember: Type.Optional(Type.Boolean()) }) } },
    async (request, reply) => {
      if (await limited(request, reply)) return reply;
      const body = request.body as { response: AuthenticationResponseJSON; remember?: boolean };
      const result = await service.login(body.response, requestContext(request), { remember: body.remember === true });
      if (!result.ok) return problem(reply, result.code);
      await sessions.revoke(request.cookies[kit.cookies.session]);
      setSessionCookie(kit, reply, result.value.session);
      issueDeviceCookie(reply, kit.cookies, deviceCookies, result.value.user.id);
      return reply.send({ user: result.value.user });
    },
  );

  // --- A passkey as the second step ------------------------------------------------------------
  app.post('/api/login/second-factor/passkey/options', { schema: { body: EmptyBody } }, async (request, reply) => {
    const options = await service.secondFactorOptions(pendingLoginOf(kit, request));
    if (!options.ok) return options.code === 'SECOND_FACTOR_EXPIRED' ? pendingOver(reply) : sendApiError(reply, options.code);
    return reply.send(options.value);
  });

  app.post(
    '/api/login/second-factor/passkey/verify',
    { schema: { body: strictObject({ response: AuthenticationResponse, rememberDevice: Type.Optional(Type.Boolean()) }) } },
    async (request, reply) => {
      const body = request.body as { response: AuthenticationResponseJSON; rememberDevice?: boolean };
      const result = await service.completeSecondFactor(
        pendingLoginOf(kit, request),
        body.response,
        { rememberDevice: body.rememberDevice === true },
        requestContext(request),
      );
      if (!result.ok) return result.code === 'SECOND_FACTOR_EXPIRED' ? pendingOver(reply) : problem(reply, result.code);
      await finishSecondStep(kit, request, reply, result.value);
      return reply.send({ user: result.value.user });
    },
  );

  // --- Recent authentication with a passkey ----------------------------------------------------
  app.post('/api/reauthenticate/passkey/options', { schema: { body: EmptyBody } }, async (request, reply) => {
    const auth = signedIn(request, reply);
    if (!auth) return reply;
    const options = await service.reauthOptions(auth);
    if (!options) return sendApiError(reply, 'PASSKEY_NOT_FOUND');
    return reply.send(options);
  });

  app.post(
    '/api/reauthenticate/passkey/verify',
    { schema: { body: strictObject({ response: AuthenticationResponse }) } },
    async (request, reply) => {
      const auth = signedIn(request, reply);
      if (!auth) return reply;
      const result = await service.reauthenticate(
        auth,
        (request.body as { response: AuthenticationResponseJSON }).response,
        requestContext(request),
      );
      if (!result.ok) return problem(reply, result.code);
      return reply.status(204).send();
    },
  );
}
