import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HttpKit, requestContext, sendApiError } from '../../http/kit.ts';
import { Password, strictObject } from '../../http/schemas.ts';
import type { ActiveSession } from '../../store/sessions-repository.ts';
import { reauthWithoutPasswordMessage } from '../reauth/guard.ts';
import { mfaEnrolPages } from './enrol-pages.ts';
import type { EnrolProblem } from './enrol-service.ts';

/** A code from the app (6 digits, spaces allowed) or a recovery code (xxxx-xxxx-xxxx); the flow checks the shape. */
const Code = Type.String({ minLength: 1, maxLength: 64 });
const OptionalPassword = Type.Optional(Password);

type PasswordBody = { password?: string };

/** Lets a JSON call without a body through as `{}` (its fields are all optional), still validated when it has one. */
const bodyIsOptional = async (request: FastifyRequest) => {
  if (request.body === undefined || request.body === null) request.body = {};
};
type CodeBody = { code: string; password?: string };

/**
 * Two-step sign-in settings: `/api/mfa/...` (JSON) and `/account/two-factor/...` (pages), thin
 * over MfaEnrolService. Every change needs a recent authentication: the API answers
 * REAUTH_REQUIRED (then `POST /api/reauthenticate`, or `password` in the body); the pages
 * (enrol-pages.ts) ask for the password in the same form once the last entry is older than
 * RECENT_AUTH_TTL.
 */
export async function mfaEnrolRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { mfaEnrol, reauth } = kit.deps;

  const apiAuth = (request: FastifyRequest, reply: FastifyReply): ActiveSession | undefined => {
    if (!request.auth) sendApiError(reply, 'NOT_AUTHENTICATED');
    return request.auth;
  };
  const apiError = async (reply: FastifyReply, result: { code: EnrolProblem; retryAfterSeconds?: number }) => {
    const auth = reply.request.auth;
    const message =
      result.code === 'REAUTH_REQUIRED' && auth && !(await reauth.hasPassword(auth.user.id)) ? reauthWithoutPasswordMessage() : undefined;
    return sendApiError(reply, result.code, message, result.retryAfterSeconds);
  };

  // --- JSON API -----------------------------------------------------------------------------
  app.get('/api/mfa', async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    return reply.send(await mfaEnrol.status(auth.user.id));
  });

  app.post(
    '/api/mfa/totp/setup',
    { preValidation: bodyIsOptional, schema: { body: strictObject({ password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { password } = request.body as PasswordBody;
      const result = await mfaEnrol.startSetup({ auth, password }, requestContext(request));
      if (!result.ok) return apiError(reply, result);
      return reply.send({ secret: result.value.secret, otpauthUrl: result.value.otpauthUrl });
    },
  );

  app.post(
    '/api/mfa/totp/confirm',
    { schema: { body: strictObject({ code: Code, password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { code, password } = request.body as CodeBody;
      const result = await mfaEnrol.confirm({ auth, password }, code, requestContext(request));
      if (!result.ok) return apiError(reply, result);
      return reply.send({ recoveryCodes: result.value.recoveryCodes });
    },
  );

  app.post(
    '/api/mfa/recovery-codes',
    { preValidation: bodyIsOptional, schema: { body: strictObject({ password: OptionalPassword }) } },
    async (request, reply) => {
      const auth = apiAuth(request, reply);
      if (!auth) return reply;
      const { password } = request.body as PasswordBody;
      const result = await mfaEnrol.regenerateRecoveryCodes({ auth, password }, requestContext(request));
      if (!result.ok) return apiError(reply, result);
      return reply.send({ recoveryCodes: result.value.recoveryCodes });
    },
  );

  app.delete('/api/mfa/totp', { schema: { body: strictObject({ code: Code, password: OptionalPassword }) } }, async (request, reply) => {
    const auth = apiAuth(request, reply);
    if (!auth) return reply;
    const { code, password } = request.body as CodeBody;
    const result = await mfaEnrol.disable({ auth, password }, code, requestContext(request));
    if (!result.ok) return apiError(reply, result);
    return reply.status(204).send();
  });

  await mfaEnrolPages(app, kit);
}
