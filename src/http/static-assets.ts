import type { FastifyInstance } from 'fastify';

/** How long browsers keep an asset whose URL does not change with its content. */
const SHORT_CACHE = 'public, max-age=3600';
/** An asset whose URL holds a hash of its content never changes: a year, without revalidation. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/**
 * Serves one file held in memory under /assets/ (the security headers leave its cache-control
 * alone there). `hashed`: the path holds a hash of the content (brand files), so it is cached
 * for good; otherwise for an hour.
 */
export function staticAsset(app: FastifyInstance, path: string, type: string, body: Buffer | string, o: { hashed?: boolean } = {}): void {
  const cache = o.hashed ? IMMUTABLE_CACHE : SHORT_CACHE;
  app.get(path, async (_request, reply) => reply.type(type).header('cache-control', cache).send(body));
}
