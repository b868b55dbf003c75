import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { startTestService, type TestService } from '../support/app.ts';

/**
 * Every registered route's path, with a sample value for each parameter, and the methods served
 * there: those of every route whose pattern matches it (`/api/sessions/revoke-others` is also
 * `DELETE /api/sessions/:id`).
 */
async function routeTable(service: TestService): Promise<Map<string, Set<string>>> {
  const routes: RouteOptions[] = [];
  // The same routes as the running service: the app built again from its deps, listing each route.
  const app = await buildApp(service.deps, { onRoute: (route) => void routes.push(route) });
  await app.ready();
  await app.close();
  const patterns = routes
    .filter((route) => !route.url.includes('*'))
    .map((route) => ({
      url: route.url,
      matches: new RegExp(`^${route.url.replace(/:[A-Za-z_]+/g, '[^/]+')}$`),
      methods: [route.method].flat(),
    }));
  const table = new Map<string, Set<string>>();
  for (const { url } of patterns) {
    const path = url.replace(/:[A-Za-z_]+/g, 'sample');
    table.set(path, new Set(patterns.filter((p) => p.matches.test(path)).flatMap((p) => p.methods)));
  }
  return table;
}

const CANDIDATES = ['DELETE', 'PUT', 'PATCH', 'POST', 'GET'];

describe('a method a route does not have answers 405 METHOD_NOT_ALLOWED with Allow', () => {
  let service: TestService;
  let table: Map<string, Set<string>>;
  before(async () => {
    service = await startTestService({ SMTP_URL: '' });
    table = await routeTable(service);
  });
  after(() => service.close());

  it('on every /api/ route, over HTTP: JSON error, Allow listing exactly its methods', async () => {
    const api = [...table].filter(([path]) => path.startsWith('/api/'));
    assert.ok(api.length >= 30, `found ${api.length} API routes`);
    for (const [path, methods] of api) {
      const wrong = CANDIDATES.find((m) => !methods.has(m));
      assert.ok(wrong, path);
      const response = await fetch(service.at(path), { method: wrong });
      const what = `${wrong} ${path}`;
      assert.equal(response.status, 405, what);
      assert.deepEqual(response.headers.get('allow')?.split(', ').sort(), [...methods].sort(), what);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, what);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'METHOD_NOT_ALLOWED', what);
      assert.match(body.error.message, new RegExp(`not ${wrong}`), what);
    }
  });

  it('on every page: an HTML error page with Allow', async () => {
    const pages = [...table].filter(([path]) => !path.startsWith('/api/') && !path.startsWith('/oidc/') && path !== '/');
    assert.ok(pages.length >= 15, `found ${pages.length} pages`);
    for (const [path, methods] of pages) {
      const wrong = CANDIDATES.find((m) => !methods.has(m)) as string;
      const response = await fetch(service.at(path), { method: wrong });
      const what = `${wrong} ${path}`;
      assert.equal(response.status, 405, what);
      assert.deepEqual(response.headers.get('allow')?.split(', ').sort(), [...methods].sort(), what);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/, what);
      assert.match(await response.text(), /not allowed|accepts/, what);
    }
  });

  it('an encoded path gets the same answer; a path no route has stays 404 NOT_FOUND', async () => {
    const encoded = await fetch(service.at('/%61pi/login'), { method: 'GET' });
    assert.equal(encoded.status, 405);
    assert.equal(encoded.headers.get('allow'), 'POST');
    const unknown = await fetch(service.at('/api/no-such-endpoint'), { method: 'DELETE' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('allow'), null);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });
});
