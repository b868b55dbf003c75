import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, setCookieLine } from '../support/flows.ts';

const EMAIL = 'ada@example.com';

/**
 * `ownScripts`: a page that offers passkeys (/login) may run our own same-origin scripts and
 * fetch from our origin, and nothing more; every other page may run no script at all.
 */
function assertStrictPageHeaders(response: TestResponse, what: string, o: { ownScripts?: boolean } = {}): void {
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(response.headers.get('cache-control'), 'no-store', what);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/, what);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), `${what}: ${csp}`);
  if (o.ownScripts) {
    assert.match(csp, /(^|;)script-src 'self'(;|$)/, `${what}: ${csp}`);
    assert.match(csp, /(^|;)connect-src 'self'(;|$)/, `${what}: ${csp}`);
    assert.match(csp, /(^|;)form-action 'self'(;|$)/, `${what}: ${csp}`);
  } else if (response.text.includes('/assets/password-toggle.js')) {
    // A page with a password field: our "show password" script, and no fetch.
    assert.match(csp, /(^|;)script-src 'self'(;|$)/, `${what}: ${csp}`);
    assert.ok(!/connect-src/.test(csp), `${what}: fetches allowed by ${csp}`);
  } else {
    assert.ok(!/script-src/.test(csp) || /script-src 'none'/.test(csp), `${what}: scripts allowed by ${csp}`);
    assert.ok(!/connect-src/.test(csp), `${what}: fetches allowed by ${csp}`);
  }
}

describe('the emailed reset link (S10)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
    await registerUser(service, EMAIL, 'correct horse battery');
  });
  after(() => service.close());

  it('GET changes nothing: the token row is untouched and the token still works after several opens', async () => {
    const token = await requestResetToken(service, EMAIL);
    const db = service.deps.store.db;
    const snapshot = async () => ({
      tokens: await db.selectFrom('tokens').selectAll().execute(),
      users: await db.selectFrom('users').selectAll().execute(),
      audit: await db.selectFrom('audit_events').select('id').execute(),
    });
    const before = await snapshot();
    for (let i = 0; i < 3; i++) assert.equal((await new TestClient(service.url).get(`/reset-password/${token}`)).status, 303);
    await new TestClient(service.url).request('HEAD', `/reset-password/${token}`);
    assert.deepEqual(await snapshot(), before);
    const reset = await apiClient(service).postJson('/api/password/reset', { token, password: 'a brand new passphrase' });
    assert.equal(reset.status, 200, reset.text);
  });

  it('moves the token into a short-lived HttpOnly cookie for /reset-password and 303s to a URL without it', async () => {
    const token = await requestResetToken(service, EMAIL);
    const browser = new TestClient(service.url);
    const opened = await browser.get(`/reset-password/${token}`);
    assert.equal(opened.status, 303);
    assert.equal(opened.location, '/reset-password');
    assertStrictPageHeaders(opened, 'redirect');
    const cookie = setCookieLine(opened, 'lk_reset') ?? '';
    assert.equal(cookie.split(';')[0], `lk_reset=${token}`);
    const attributes = cookie
      .split(';')
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    assert.ok(attributes.includes('httponly'), cookie);
    assert.ok(attributes.includes('path=/reset-password'), cookie);
    assert.ok(attributes.includes('samesite=lax'), cookie);
    const maxAge = Number(attributes.find((a) => a.startsWith('max-age='))?.slice(8));
    assert.ok(maxAge > 0 && maxAge <= 3600, `short-lived: ${cookie}`);

    const form = await browser.get('/reset-password');
    assert.equal(form.status, 200);
    assertStrictPageHeaders(form, 'form');
    assert.ok(!form.text.includes(token), 'the page does not echo the token');
    const resources = [...form.text.matchAll(/(?:src|href|action)="([^"]*)"/g)].map((m) => m[1] as string);
    for (const url of resources) assert.ok(url.startsWith('/') && !url.startsWith('//'), `third-party or absolute resource: ${url}`);
    assert.ok(
      !/<script/i.test(form.text.replace('<script src="/assets/password-toggle.js" defer></script>', '')),
      'no script but the "show password" one',
    );
  });

  it('an invalid link shows why, offers a new one, sets no reset cookie, and sends the same strict headers', async () => {
    const browser = new TestClient(service.url);
    for (const path of [`/reset-password/${'A'.repeat(43)}`, '/reset-password/short', '/reset-password']) {
      const page = await browser.get(path);
      assert.equal(page.status, 400, path);
      assert.match(page.text, /This link is not valid/);
      assert.match(page.text, /action="\/forgot-password"/);
      assert.ok(!browser.cookies.has('lk_reset'));
      assertStrictPageHeaders(page, path);
    }
  });

  it('every page carries the security headers (S25)', async () => {
    const browser = new TestClient(service.url);
    for (const path of [
      '/',
      '/login',
      '/register',
      '/forgot-password',
      '/no-such-page',
      '/%',
      '/reset-password/%E0%A4%A',
      `/reset-password/${'a'.repeat(300)}`,
    ]) {
      assertStrictPageHeaders(await browser.get(path), path, { ownScripts: path === '/login' });
    }
    assertStrictPageHeaders(await apiClient(service).get('/api/session'), '/api/session');
  });
});
