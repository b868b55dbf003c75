import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enterLocale } from '../i18n/index.ts';
import { negotiateLocale } from '../i18n/negotiate.ts';
import type { CookiePolicy } from './cookies.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language this request is answered in (negotiated in onRequest). */
    locale: string;
    /** The language came from the request (?lang=, its cookie, or a matching Accept-Language), not DEFAULT_LOCALE: a signed-in user's is stored. */
    localeExpressed: boolean;
  }
}

/**
 * Where the language menu's links lead: the page itself when it can be fetched (a GET, or an
 * answer to a form whose address also shows the form), else the start page (an action such as
 * `POST /account/passkeys/<id>/rename` has no page of its own to reload).
 */
function menuTarget(app: FastifyInstance, request: FastifyRequest): string {
  if (request.method === 'GET' || request.method === 'HEAD') return request.url;
  const route = request.routeOptions.url;
  return route !== undefined && app.hasRoute({ method: 'GET', url: route }) ? request.url : '/';
}

/**
 * Chooses each request's language (?lang=, the lk_lang cookie, Accept-Language, DEFAULT_LOCALE)
 * and enters it for everything the request does. A `?lang=` choice is remembered in the cookie.
 * Answers that depend on it say so (`Vary: Accept-Language, Cookie`; pages are `no-store` anyway).
 */
export function registerLocale(
  app: FastifyInstance,
  cookies: CookiePolicy,
  settings: { locales: readonly string[]; defaultLocale: string },
): void {
  app.decorateRequest('locale', '');
  app.decorateRequest('localeExpressed', false);
  // A callback hook, not an async one: the locale entered here is in the context every later
  // hook and the handler run in.
  app.addHook('onRequest', (request, reply, done) => {
    const queryAt = request.url.indexOf('?');
    const search = queryAt === -1 ? '' : request.url.slice(queryAt);
    const query = new URLSearchParams(search).get('lang') ?? undefined;
    const { locale, source } = negotiateLocale(
      { query, cookie: request.cookies[cookies.language], acceptLanguage: request.headers['accept-language'] },
      settings.locales,
      settings.defaultLocale,
    );
    request.locale = locale;
    request.localeExpressed = source !== 'default';
    if (query !== undefined && query.toLowerCase() === locale.toLowerCase()) {
      reply.setCookie(cookies.language, locale, cookies.languageOptions());
    }
    reply.header('vary', 'Accept-Language, Cookie');
    reply.header('content-language', locale);
    // Worked out only if a page with a language menu is rendered, not for every API request.
    enterLocale(locale, () => menuTarget(app, request), request.localeExpressed);
    done();
  });
}
