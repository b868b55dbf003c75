import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type HttpKit, sendApiError } from '../../http/kit.ts';
import { ForwardAuth, type OriginalRequest } from './service.ts';

/**
 * Forward auth: GET /api/authz/auth-request for nginx `auth_request` (200 or 401, never a
 * redirect; the 401 carries the login URL in `Location` for `auth_request_set`), and
 * GET /api/authz/forward-auth for Traefik ForwardAuth and Caddy forward_auth (200, or 302 to the
 * login page when the original URL may be returned to, else 401). No rate limit applies: the
 * answer costs one indexed session lookup.
 */
export async function authzRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const forwardAuth = new ForwardAuth({ publicUrl: kit.deps.config.publicUrl, returnTo: kit.returnTo });

  const allow = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const auth = request.auth;
    if (!auth) return undefined;
    reply.header('cache-control', 'no-store').headers(forwardAuth.headersFor(auth.user));
    return reply.status(200).send();
  };

  app.get('/api/authz/auth-request', async (request, reply) => {
    const allowed = allow(request, reply);
    if (allowed) return allowed;
    reply.header('cache-control', 'no-store').header('location', forwardAuth.loginUrl(originalRequestOf(request)));
    return sendApiError(reply, 'NOT_AUTHENTICATED');
  });

  app.get('/api/authz/forward-auth', async (request, reply) => {
    const allowed = allow(request, reply);
    if (allowed) return allowed;
    reply.header('cache-control', 'no-store');
    const original = originalRequestOf(request);
    if (forwardAuth.originalUrl(original) === undefined) return sendApiError(reply, 'NOT_AUTHENTICATED');
    return reply.redirect(forwardAuth.loginUrl(original), 302);
  });
}

function originalRequestOf(request: FastifyRequest): OriginalRequest {
  const h = request.headers;
  return {
    originalUrl: h['x-original-url'],
    forwardedProto: h['x-forwarded-proto'],
    forwardedHost: h['x-forwarded-host'],
    forwardedUri: h['x-forwarded-uri'],
  };
}
