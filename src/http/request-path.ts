import type { FastifyRequest } from 'fastify';

/**
 * The path of a request target with its percent-escapes decoded and repeated slashes collapsed,
 * without the query: what the router matches (`/%61pi/logout` is `/api/logout`). A malformed
 * escape leaves the path as it is (such requests are refused before routing anyway).
 */
export function decodedPath(url: string): string {
  const raw = url.split('?')[0] ?? '';
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    path = raw;
  }
  return path.replace(/\/{2,}/g, '/');
}

/**
 * What a request is, for every check keyed on a path prefix (API and form guards, CSRF, error
 * format): the pattern of the route that serves it (`/api/logout`, `/reset-password/:token`),
 * decided by the router itself, or the decoded path when no route (or only the catch-all) does. Never the raw
 * `request.url`, which an encoded path (`/%61pi/...`) would slip past.
 */
export function routePath(request: FastifyRequest): string {
  const pattern = request.routeOptions?.url;
  // `*` is the catch-all OPTIONS route that answers CORS preflights (cors.ts): no path of its own.
  return pattern !== undefined && pattern !== '*' ? pattern : decodedPath(request.url);
}

export function isApiRequest(request: FastifyRequest): boolean {
  const path = routePath(request);
  return path === '/api' || path.startsWith('/api/');
}
