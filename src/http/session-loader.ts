import type { FastifyInstance } from 'fastify';
import { isSupportedLocale } from '../i18n/locales.ts';
import type { HttpKit } from './kit.ts';

/**
 * Resolves the session cookie once per request into `request.auth`, and remembers the language a
 * signed-in user now reads in (chosen, or asked for by the browser) on the account: mails go out
 * in it, whoever triggers them.
 */
export function registerSessionLoader(app: FastifyInstance, kit: HttpKit): void {
  app.decorateRequest('auth', undefined);
  app.addHook('preHandler', async (request) => {
    const token = request.cookies[kit.cookies.session];
    if (token) request.auth = await kit.deps.sessions.resolve(token);
    const user = request.auth?.user;
    if (user && request.localeExpressed && user.locale !== request.locale && isSupportedLocale(request.locale)) {
      await kit.deps.store.users.setLocale(user.id, request.locale);
      user.locale = request.locale;
    }
  });
}
