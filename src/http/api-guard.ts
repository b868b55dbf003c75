import type { FastifyInstance } from 'fastify';
import { AppError } from '../kernel/errors.ts';
import type { CookiePolicy } from './cookies.ts';

/**
 * JSON API requests (S12, S20): state-changing calls must be application/json (a cross-site
 * form cannot send that without CORS), and any call carrying a session cookie must come from an
 * allowed Origin.
 */
export function registerApiGuard(app: FastifyInstance, cookies: CookiePolicy, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const type = request.headers['content-type'];
    const length = Number(request.headers['content-length'] ?? 0);
    const hasBody = length > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !/^application\/json(\s*;|$)/i.test(type ?? '')) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    if (request.cookies[cookies.session] !== undefined) {
      const origin = request.headers.origin;
      if (!origin || !allowedOrigins.includes(origin)) throw new AppError('ORIGIN_NOT_ALLOWED');
    }
  });
}

/** HTML form posts must be form-encoded; a browser sends an Origin we check when present. */
export function registerFormGuard(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/') || request.method !== 'POST') return;
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded(\s*;|$)/i.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== 'null' && !allowedOrigins.includes(origin)) throw new AppError('ORIGIN_NOT_ALLOWED');
  });
}
