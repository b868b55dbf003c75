import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';
const EMAIL = 'cors.user@example.com';
const PASSWORD = 'correct horse battery';

function corsHeadersOf(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.startsWith('access-control-'));
}

function preflight(service: TestService, path: string, origin: string, method = 'POST'): Promise<Response> {
  return fetch(service.at(path), {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
  });
}

for (const basePath of ['', '/auth']) {
  describe(`CORS for ALLOWED_ORIGINS on the JSON API${basePath ? ' under a base path' : ''}`, () => {
    let service: TestService;
    // service.at() is the listening origin; PUBLIC_URL only decides the base path.
    const at = (path: string) => service.at(`${basePath}${path}`);
    before(async () => {
      service = await startTestService({
        ALLOWED_ORIGINS: `${APP}, https://second.example.org`,
        PUBLIC_URL: `http://localhost:3000${basePath}`,
        CONFIRM_EMAIL: 'off',
      });
      const registered = await new TestClient(service.url).postJson(`${basePath}/api/register`, { email: EMAIL, password: PASSWORD });
      assert.equal(registered.status, 202, registered.text);
    });
    after(() => service.close());

    it('answers a preflight from an allowed origin with 204, its methods and Content-Type, credentials allowed', async () => {
      const response = await preflight({ at } as TestService, '/api/login', APP);
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), APP);
      assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
      assert.deepEqual(response.headers.get('access-control-allow-methods')?.split(', ').sort(), [
        'DELETE',
        'GET',
        'HEAD',
        'PATCH',
        'POST',
      ]);
      assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type');
      assert.equal(response.headers.get('access-control-max-age'), '600');
      assert.match(response.headers.get('vary') ?? '', /\bOrigin\b/);
      // A route with parameters, and a method other than POST.
      const patch = await preflight({ at } as TestService, '/api/passkeys/some-id', 'https://second.example.org', 'PATCH');
      assert.equal(patch.status, 204);
      assert.equal(patch.headers.get('access-control-allow-origin'), 'https://second.example.org');
    });

    it('signs in from an allowed origin, and the answers carry the origin, credentials and Vary: Origin', async () => {
      const client = new TestClient(service.url, { origin: APP });
      const login = await client.request('POST', `${basePath}/api/login`, {
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(login.status, 200, login.text);
      assert.equal(login.headers.get('access-control-allow-origin'), APP);
      assert.equal(login.headers.get('access-control-allow-credentials'), 'true');
      assert.match(login.headers.get('vary') ?? '', /\bOrigin\b/);
      const session = await client.get(`${basePath}/api/session`);
      assert.equal(session.status, 200);
      assert.equal(session.json<{ user: { email: string } }>().user.email, EMAIL);
      assert.equal(session.headers.get('access-control-allow-origin'), APP);
      // An error answer is readable too, so the page can show it.
      const logout = await client.request('POST', `${basePath}/api/logout`);
      assert.equal(logout.status, 204);
      const signedOut = await client.get(`${basePath}/api/session`);
      assert.equal(signedOut.status, 401);
      assert.equal(signedOut.headers.get('access-control-allow-origin'), APP);
    });

    it('refuses a preflight from another origin with 403 ORIGIN_NOT_ALLOWED and no CORS headers', async () => {
      const response = await preflight({ at } as TestService, '/api/login', OTHER);
      assert.equal(response.status, 403);
      assert.deepEqual(corsHeadersOf(response.headers), []);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'ORIGIN_NOT_ALLOWED');
      // `*` is never an answer, and `null` is not an allowed origin.
      const nullOrigin = await preflight({ at } as TestService, '/api/session', 'null', 'GET');
      assert.equal(nullOrigin.status, 403);
    });

    it('sends no CORS headers to another origin, nor without an Origin, on actual API requests', async () => {
      const other = await fetch(at('/api/session'), { headers: { origin: OTHER } });
      assert.equal(other.status, 401);
      assert.deepEqual(corsHeadersOf(other.headers), []);
      assert.match(other.headers.get('vary') ?? '', /\bOrigin\b/, 'the answer depends on Origin, for caches');
      const none = await fetch(at('/api/session'));
      assert.deepEqual(corsHeadersOf(none.headers), []);
    });

    it('sends no CORS headers (nor Vary: Origin) on pages, even to an allowed origin; an OPTIONS there is no preflight', async () => {
      for (const path of ['/login', '/forgot-password', '/assets/style.css']) {
        const page = await fetch(at(path), { headers: { origin: APP } });
        assert.equal(page.status, 200, path);
        assert.deepEqual(corsHeadersOf(page.headers), [], path);
        assert.doesNotMatch(page.headers.get('vary') ?? '', /\bOrigin\b/, path);
      }
      const options = await preflight({ at } as TestService, '/login', APP);
      assert.deepEqual(corsHeadersOf(options.headers), []);
      assert.equal(options.status, 405);
      assert.equal(options.headers.get('allow'), 'GET, HEAD, POST');
    });

    if (basePath) {
      it('answers a preflight outside the base path 404, without CORS headers', async () => {
        const response = await preflight({ at: (path: string) => service.at(path) } as TestService, '/api/login', APP);
        assert.equal(response.status, 404);
        assert.deepEqual(corsHeadersOf(response.headers), []);
      });
    }

    it('answers a plain OPTIONS (no preflight) on an API route 405 with Allow, as any other missing method', async () => {
      const response = await fetch(at('/api/login'), { method: 'OPTIONS' });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST');
      const unknown = await fetch(at('/api/no-such-endpoint'), { method: 'DELETE' });
      assert.equal(unknown.status, 404);
    });
  });
}

describe('ALLOWED_ORIGINS names origins, never a wildcard', () => {
  it('refuses `*` and `null` at startup, naming the variable', () => {
    for (const value of ['*', 'null', 'https://app.example.com,*']) {
      assert.throws(
        () => loadConfig({ NODE_ENV: 'test', ALLOWED_ORIGINS: value }),
        /ALLOWED_ORIGINS must be a comma-separated list of origins/,
        value,
      );
    }
  });
});
