import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { SecondStepCookies } from '../../flows/mfa/second-step-cookies.ts';
import { withLocale } from '../../i18n/index.ts';
import type { CookiePolicy } from '../cookies.ts';
import { type HttpKit, sendPage } from '../kit.ts';
import { type ApiDocument, apiDocsPage } from './docs-page.ts';
import { swaggerOptions } from './document.ts';

/**
 * Registers @fastify/swagger, which collects every route added after it: call it before the
 * routes. The document itself is built once, on first request.
 */
export async function registerOpenApi(app: FastifyInstance, config: Pick<Config, 'publicUrl'>, cookies: CookiePolicy): Promise<void> {
  await app.register(swagger, swaggerOptions(config.publicUrl, cookies, new SecondStepCookies(cookies).pending));
}

/**
 * GET /api/openapi.json, always served: it describes only what any client may already call
 * (nothing in it is secret) and client generators need it in production too. GET /api/docs, the
 * same as an HTML page, only with API_DOCS=on (off by default in production).
 */
export async function openApiRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  // The document is built once, on first use, and kept: in English (its error descriptions come
  // from the catalogue), whatever the language of the request that happens to build it.
  const document = (request: FastifyRequest) => withLocale('en', () => request.server.swagger());
  app.get('/api/openapi.json', async (request, reply) =>
    reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(document(request)),
  );
  if (!kit.deps.config.apiDocs) return;
  app.get('/api/docs', async (request, reply) => sendPage(reply, apiDocsPage(document(request) as unknown as ApiDocument)));
}
