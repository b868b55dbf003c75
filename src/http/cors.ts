import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../kernel/errors.ts';
import { isApiRequest } from './request-path.ts';

/** The methods the JSON API uses, announced to preflights. */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'] as const;
/** Request headers a page may send beyond the CORS-safelisted ones: API bodies are JSON. */
export const CORS_ALLOWED_HEADERS = ['Content-Type'] as const;
/** How long a browser may cache a preflight's answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

function isPreflight(request: FastifyRequest): boolean {
  return (
    request.method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined
  );
}

/**
 * CORS for the JSON API (ALLOWED_ORIGINS, plus PUBLIC_URL's own origin): a page served from one
 * of those origins may call `/api/...` with `credentials: 'include'` and read the answer.
 * - An allowed Origin is echoed in `Access-Control-Allow-Origin` (never `*`), with
 *   `Access-Control-Allow-Credentials: true`; every API answer carries `Vary: Origin`.
 * - Preflights (OPTIONS with Origin and Access-Control-Request-Method) from an allowed origin are
 *   answered `204` with the API's methods and `Content-Type`; from another origin `403
 *   ORIGIN_NOT_ALLOWED` without CORS headers, so the browser never sends the real request.
 * - Pages, the OpenID Connect endpoints and every other non-API route get no CORS headers at all.
 * The API guard (api-guard.ts) still refuses cookie-carrying state changes from other origins:
 * CORS decides who may read answers, the guard who may change anything.
 */
export async function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): Promise<void> {
  const origins = new Set(allowedOrigins);
  // Routes other than the API opt out of the plugin entirely (not even a Vary header).
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url === '/api' || route.url.startsWith('/api/')) return;
    route.config = { ...(route.config ?? {}), cors: false } as typeof route.config;
  });
  app.addHook('onRequest', async (request) => {
    if (isPreflight(request) && isApiRequest(request) && !origins.has(request.headers.origin as string)) {
      throw new AppError('ORIGIN_NOT_ALLOWED');
    }
  });
  await app.register(cors, {
    hideOptionsRoute: true,
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      if (!isApiRequest(request) || origin === undefined || !origins.has(origin)) {
        callback(null, { origin: false });
        return;
      }
      callback(null, {
        origin,
        credentials: true,
        methods: [...CORS_METHODS],
        allowedHeaders: [...CORS_ALLOWED_HEADERS],
        maxAge: CORS_MAX_AGE_SECONDS,
        // Only a real preflight is answered here; another OPTIONS gets the router's 405.
        preflight: isPreflight(request),
      });
    },
  });
}
