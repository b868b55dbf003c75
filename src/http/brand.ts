import type { FastifyInstance, FastifyReply } from 'fastify';
import { brandPage, isBranded, type PageBrand } from '../views/brand.ts';
import { staticAsset } from './static-assets.ts';

/** The payload with the brand in it when it is an HTML page; anything else as it is. */
function branded(payload: unknown, reply: FastifyReply, brand: PageBrand): unknown {
  const type = reply.getHeader('content-type');
  return typeof payload === 'string' && typeof type === 'string' && /^text\/html\b/i.test(type) ? brandPage(payload, brand) : payload;
}

/**
 * Serves the brand's files (logo, BRAND_COLOR stylesheet, THEME_CSS) at their hashed URLs and
 * puts the brand into every HTML page (views/brand.ts). Registered before the base path, whose
 * hook then prefixes the paths this one adds.
 */
export function registerBrand(app: FastifyInstance, brand: PageBrand): void {
  for (const file of brand.files) staticAsset(app, file.path, file.type, file.body, { hashed: true });
  if (!isBranded(brand)) return;
  app.addHook('onSend', async (_request, reply, payload) => branded(payload, reply, brand));
}

/** For the few answers made before any hook runs (see withBasePathPages): their page gets the brand here. */
export function withBrandedPages(reply: FastifyReply, brand: PageBrand): FastifyReply {
  if (!isBranded(brand)) return reply;
  const send = reply.send.bind(reply);
  reply.send = (payload?: unknown) => send(branded(payload, reply, brand));
  return reply;
}
