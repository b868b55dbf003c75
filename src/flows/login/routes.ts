import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { clearSessionCookie, type HttpKit, requestContext, sendApiError, sendPage, setSessionCookie } from '../../http/kit.ts';
import { safeRedirectPath } from '../../http/redirects.ts';
import { Csrf, Email, Password, strictObject } from '../../http/schemas.ts';
import { ERROR_CODES } from '../../kernel/errors.ts';
import { homePage, loginNotice, loginPage } from './views.ts';

const NextQuery = Type.Object({
  next: Type.Optional(Type.String({ maxLength: 512 })),
  notice: Type.Optional(Type.String({ maxLength: 64 })),
});

export async function loginRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { login, sessions, store, clock } = kit.deps;

  // --- JSON API -----------------------------------------------------------------------------
  app.post('/api/login', { schema: { body: strictObject({ email: Email, password: Password }) } }, async (request, reply) => {
    const { email, password } = request.body as { email: string; password: string };
    const result = await login.login(email, password, requestContext(request));
    if (!result.ok) return sendApiError(reply, result.code, undefined, result.retryAfterSeconds);
    await sessions.revoke(request.cookies[kit.cookies.session]);
    setSessionCookie(kit, reply, result.value.sessionToken);
    return reply.send({ user: result.value.user });
  });

  app.post('/api/logout', async (request, reply) => {
    await signOut(request.auth?.user.id, request.cookies[kit.cookies.session], requestContext(request));
    clearSessionCookie(kit, reply);
    return reply.status(204).send();
  });

  app.get('/api/session', async (request, reply) => {
    if (!request.auth) return sendApiError(reply, 'NOT_AUTHENTICATED');
    const { id, email, name } = request.auth.user;
    return reply.send({ user: { id, email, name } });
  });

  // --- Pages --------------------------------------------------------------------------------
  app.get('/', async (request, reply) => {
    const csrf = kit.csrf.tokenFor(request, reply);
    if (!request.auth) return sendPage(reply, homePage({ csrf }));
    const sessionCount = await store.sessions.countForUser(request.auth.user.id, clock.nowMs());
    return sendPage(reply, homePage({ csrf, user: request.auth.user, sessionCount }));
  });

  app.get('/login', { schema: { querystring: NextQuery } }, async (request, reply) => {
    const query = request.query as { next?: string; notice?: string };
    const info = loginNotice(query.notice);
    return sendPage(reply, loginPage({ csrf: kit.csrf.tokenFor(request, reply), next: safeRedirectPath(query.next), info }));
  });

  app.post(
    '/login',
    {
      schema: { querystring: NextQuery, body: strictObject({ _csrf: Csrf, email: Type.String({ maxLength: 1024 }), password: Password }) },
    },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      const next = safeRedirectPath((request.query as { next?: string }).next);
      const result = await login.login(email, password, requestContext(request));
      if (!result.ok) {
        if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
        const page = loginPage({ csrf: kit.csrf.tokenFor(request, reply), email, next, error: ERROR_CODES[result.code].message });
        return sendPage(reply, page, ERROR_CODES[result.code].status);
      }
      await sessions.revoke(request.cookies[kit.cookies.session]);
      setSessionCookie(kit, reply, result.value.sessionToken);
      return reply.redirect(next, 303);
    },
  );

  app.post('/logout', { schema: { body: strictObject({ _csrf: Csrf }) } }, async (request, reply) => {
    await signOut(request.auth?.user.id, request.cookies[kit.cookies.session], requestContext(request));
    clearSessionCookie(kit, reply);
    return reply.redirect('/login?notice=signed-out', 303);
  });

  async function signOut(userId: string | undefined, token: string | undefined, context: ReturnType<typeof requestContext>) {
    await sessions.revoke(token);
    if (userId) await store.audit.record({ type: 'logout', userId, ...context, nowMs: clock.nowMs() });
  }
}
