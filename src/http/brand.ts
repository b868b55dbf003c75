import type { FastifyInstance, FastifyReply } from 'fastify';
import { brandPage, isBranded, type PageBrand } from '../views/brand.ts';
import { staticAsset } from './static-assets.ts';

const isHtml = (type: unknown) => typeof type === 'string' && /^text\/html\b/i.test(type);

/**
 * Serves the brand's files (logo, BRAND_COLOR stylesheet, THEME_CSS) at their hashed URLs and
 * puts the brand into every HTML page (views/brand.ts). Registered before the base path, whose
 * hook then prefixes the paths this one adds.
 */
export function registerBrand(app: FastifyInstance, brand: PageBrand): void {
  for (const file of brand.files) staticAsset(app, file.path, file.type, file.body, { hashed: true });
  if (!isBranded(brand)) return;
  app.addHook('onSend', async (_request, reply, payload) =>
    typeof payload === 'string' && isHtml(reply.getHeader('content-type')) ? brandPage(payload, brand) : payload,
  );
}

/** For the few answers made before any hook runs (see withBasePathPages): their page gets the brand here. */
export function withBrandedPages(reply: FastifyReply, brand: PageBrand): FastifyReply {
  if (!isBranded(brand)) return reply;
  const send = reply.send.bind(reply);
  reply.send = (payload?: unknown) =>
    send(typeof payload === 'string' && isHtml(reply.getHeader('content-type')) ? brandPage(payload, brand) : payload);
  return reply;
}
