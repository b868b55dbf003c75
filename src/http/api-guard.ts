import type { FastifyInstance } from 'fastify';
import { AppError } from '../kernel/errors.ts';
import type { CookiePolicy } from './cookies.ts';
import { isApiRequest } from './request-path.ts';

/**
 * JSON API requests (S12, S20): state-changing calls must be application/json (a cross-site
 * form cannot send that without CORS), and any call carrying a session cookie must come from an
 * allowed Origin.
 */
export function registerApiGuard(app: FastifyInstance, cookies: CookiePolicy, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (!isApiRequest(request)) return;
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

/**
 * HTML form posts must be form-encoded and come from an allowed Origin when the browser sends one.
 * `Origin: null` (sandboxed frames, `data:` pages, cross-site redirects) is refused, with one
 * exception: our own pages send `Referrer-Policy: no-referrer` (S10), under which Chromium sends
 * `Origin: null` for their own form posts too; those also carry `Sec-Fetch-Site: same-origin`, a
 * header no page can set, and only those are let through.
 */
export function registerFormGuard(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request) => {
    if (isApiRequest(request) || request.method !== 'POST') return;
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded(\s*;|$)/i.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    const origin = request.headers.origin;
    if (origin === undefined || allowedOrigins.includes(origin)) return;
    if (origin === 'null' && request.headers['sec-fetch-site'] === 'same-origin') return;
    throw new AppError('ORIGIN_NOT_ALLOWED');
  });
}
