import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { appPathOf, pathUnderBase } from '../config/public-url.ts';
import { AppError } from '../kernel/errors.ts';
import { originForm } from './request-target.ts';

/**
 * Latchkey under a path (PUBLIC_URL=https://example.com/auth). Inside the process everything is an
 * *app path* (`/login`): routes, `request.url`, the path checks of the guards, views, `next`
 * values and redirects. The base path is handled here, at the edge, and nowhere else:
 * - in: `rewriteUrl` strips it once, before routing (a request outside it gets 404);
 * - out: a `Location` that is an app path, and the `href`, `action`, `src` and `formaction`
 *   attributes of HTML pages that hold app paths, get it prepended.
 * Cookie paths come from CookiePolicy, mail links from publicLink(). Docs: docs/base-path.md.
 */
const outside = new WeakSet<IncomingMessage>();

/** Fastify's rewriteUrl: the origin-form target with the base path stripped. */
export function requestRewriter(basePath: string): (req: IncomingMessage) => string {
  return (req) => {
    const url = originForm(req.url ?? '/');
    const appPath = appPathOf(basePath, url);
    if (appPath !== undefined) return appPath;
    outside.add(req);
    return url;
  };
}

/** An app path: one leading "/" (not "//" or "/\", which browsers read as another host). */
export function isAppPath(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\');
}

const PATH_ATTRIBUTE = /(\s(?:href|action|src|formaction)=")(\/(?![/\\]))/gi;

/**
 * Prepends the base path to every double-quoted href/action/src/formaction attribute holding an
 * app path. Safe on pages made with the html`` tag: interpolated text has `"` escaped, so only
 * real attributes can match; absolute URLs and `//host` are left alone.
 */
export function prefixHtmlPaths(page: string, basePath: string): string {
  return page.replace(PATH_ATTRIBUTE, (_match, attribute: string, slash: string) => `${attribute}${basePath}${slash}`);
}

/** Registers the 404 for requests outside the base path and the prefixing of outgoing paths. */
export function registerBasePath(app: FastifyInstance, basePath: string): void {
  if (basePath === '') return;
  app.addHook('onRequest', async (request) => {
    if (outside.has(request.raw)) throw new AppError('NOT_FOUND');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    const location = reply.getHeader('location');
    if (typeof location === 'string' && isAppPath(location)) reply.header('location', pathUnderBase(basePath, location));
    const type = reply.getHeader('content-type');
    if (typeof payload === 'string' && typeof type === 'string' && /^text\/html\b/i.test(type)) return prefixHtmlPaths(payload, basePath);
    return payload;
  });
}

/**
 * For the few answers Fastify makes before routing (a malformed URL, through `frameworkErrors`),
 * where no hook runs: the error page's links get the base path here instead of in `onSend`.
 */
export function withBasePathPages(reply: FastifyReply, basePath: string): FastifyReply {
  if (basePath === '') return reply;
  const send = reply.send.bind(reply);
  reply.send = (payload?: unknown) => {
    const type = reply.getHeader('content-type');
    const isPage = typeof payload === 'string' && typeof type === 'string' && /^text\/html\b/i.test(type);
    return send(isPage ? prefixHtmlPaths(payload, basePath) : payload);
  };
  return reply;
}
