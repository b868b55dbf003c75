import type { FastifyInstance } from 'fastify';
import type { HttpKit } from './kit.ts';

/** Resolves the session cookie once per request into `request.auth`. */
export function registerSessionLoader(app: FastifyInstance, kit: HttpKit): void {
  app.decorateRequest('auth', undefined);
  app.addHook('preHandler', async (request) => {
    const token = request.cookies[kit.cookies.session];
    if (token) request.auth = await kit.deps.sessions.resolve(token);
  });
}
