import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorMessage } from '../../src/kernel/errors.ts';
import { formExpiredMessage } from '../../src/views/forms.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser, requestResetToken, setCookieLine, signedInClient } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const FORMS: Record<string, Record<string, string>> = {
  '/login': { email: EMAIL, password: PASSWORD },
  '/logout': {},
  '/register': { email: 'new@example.com', password: 'a new passphrase', password_confirm: 'a new passphrase' },
  '/forgot-password': { email: EMAIL },
  '/reset-password': { password: 'a brand new passphrase', password_confirm: 'a brand new passphrase' },
  '/login/email': { email: EMAIL },
  '/login/email/code': { email: EMAIL, code: '12345678' },
  '/login/link': {},
};

function assertRefused(response: TestResponse, code: 'CSRF_FAILED' | 'ORIGIN_NOT_ALLOWED', what: string): void {
  assert.equal(response.status, 403, `${what}: ${response.status}`);
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) assert.equal(response.json().error.code, code, what);
  // A form page answers a refused token with the form again, renewed, saying so (forms.ts).
  else
    assert.ok(response.text.includes(errorMessage(code)) || (code === 'CSRF_FAILED' && response.text.includes(formExpiredMessage())), what);
}

describe('CSRF on every form and Origin on credentialed API calls (S12)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_FORGOT_EMAIL: '100/3600' });
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  /** A browser with a session, a CSRF cookie and a reset cookie: every form has what it needs but the field. */
  async function preparedBrowser(): Promise<{ browser: TestClient; csrf: string }> {
    const browser = new TestClient(service.url);
    const before = (await browser.get('/login')).csrfToken();
    assert.equal((await browser.postForm('/login', { _csrf: before, email: EMAIL, password: PASSWORD })).status, 303);
    assert.equal((await browser.get(`/reset-password/${await requestResetToken(service, EMAIL)}`)).status, 303);
    return { browser, csrf: (await browser.get('/')).csrfToken() };
  }

  it('refuses every form POST without a _csrf field, with 403 CSRF_FAILED', async () => {
    const { browser } = await preparedBrowser();
    for (const [path, fields] of Object.entries(FORMS))
      assertRefused(await browser.postForm(path, fields), 'CSRF_FAILED', `${path} without _csrf`);
    assert.equal((await browser.get('/api/session')).status, 200, 'the refused logout changed nothing');
  });

  it("refuses a wrong, empty, or another browser's _csrf, and a field without its cookie", async () => {
    const { browser, csrf } = await preparedBrowser();
    const other = (await new TestClient(service.url).get('/login')).csrfToken();
    const flipped = (csrf[0] === 'A' ? 'B' : 'A') + csrf.slice(1);
    for (const [path, fields] of Object.entries(FORMS)) {
      for (const [name, value] of [
        ['wrong', 'x'.repeat(43)],
        ['empty', ''],
        ['flipped', flipped],
        ['foreign', other],
      ] as const) {
        assertRefused(await browser.postForm(path, { ...fields, _csrf: value }), 'CSRF_FAILED', `${path} with ${name} _csrf`);
      }
      const cookieless = new TestClient(service.url);
      assertRefused(await cookieless.postForm(path, { ...fields, _csrf: csrf }), 'CSRF_FAILED', `${path} without the CSRF cookie`);
    }
    assert.equal((await browser.get('/api/session')).status, 200);
  });

  it('accepts the right _csrf (the control case)', async () => {
    const { browser, csrf } = await preparedBrowser();
    const response = await browser.postForm('/logout', { _csrf: csrf });
    assert.equal(response.status, 303);
    assert.equal((await browser.get('/api/session')).status, 401);
  });

  it('refuses a form POST from a foreign Origin even with a valid token', async () => {
    const { browser, csrf } = await preparedBrowser();
    for (const path of Object.keys(FORMS)) {
      assertRefused(
        await browser.postForm(path, { ...FORMS[path], _csrf: csrf }, { origin: 'https://evil.example' }),
        'ORIGIN_NOT_ALLOWED',
        path,
      );
    }
  });

  it('refuses a form POST with Origin: null unless the browser itself marks it same-origin', async () => {
    const { browser, csrf } = await preparedBrowser();
    for (const path of Object.keys(FORMS)) {
      for (const site of [undefined, 'cross-site', 'same-site', 'none']) {
        const headers: Record<string, string> = { origin: 'null', ...(site ? { 'sec-fetch-site': site } : {}) };
        assertRefused(await browser.postForm(path, { ...FORMS[path], _csrf: csrf }, headers), 'ORIGIN_NOT_ALLOWED', `${path} null/${site}`);
      }
    }
    assert.equal((await browser.get('/api/session')).status, 200, 'nothing was done');
    // Our pages send Referrer-Policy: no-referrer, so Chromium posts their forms with Origin: null
    // and Sec-Fetch-Site: same-origin (a header no page can set): those still work.
    const own = await browser.postForm('/logout', { _csrf: csrf }, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    assert.equal(own.status, 303);
    assert.equal((await browser.get('/api/session')).status, 401);
  });

  it('issues a new CSRF token at sign-in and at sign-out: the one from before is refused', async () => {
    const browser = new TestClient(service.url);
    const anonymous = (await browser.get('/login')).csrfToken();
    const cookieBefore = browser.cookies.get('lk_csrf');
    const signedIn = await browser.postForm('/login', { _csrf: anonymous, email: EMAIL, password: PASSWORD });
    assert.equal(signedIn.status, 303);
    assert.ok(setCookieLine(signedIn, 'lk_csrf'), 'sign-in sets a new CSRF cookie');
    assert.notEqual(browser.cookies.get('lk_csrf'), cookieBefore);
    assertRefused(await browser.postForm('/logout', { _csrf: anonymous }), 'CSRF_FAILED', 'the token from before sign-in');
    assert.equal((await browser.get('/api/session')).status, 200);

    const session = (await browser.get('/')).csrfToken();
    assert.notEqual(session, anonymous);
    assert.equal((await browser.postForm('/logout', { _csrf: session })).status, 303);
    assert.equal((await browser.get('/api/session')).status, 401);
    assertRefused(
      await browser.postForm('/login', { _csrf: session, email: EMAIL, password: PASSWORD }),
      'CSRF_FAILED',
      'the token of the ended session',
    );

    const api = new TestClient(service.url, { origin: service.config.publicUrl.origin });
    const planted = (await api.get('/login')).csrfToken();
    assert.equal((await api.postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 200);
    assertRefused(await api.postForm('/logout', { _csrf: planted }), 'CSRF_FAILED', 'the token from before an API sign-in');
    assert.equal((await api.request('POST', '/api/logout')).status, 204);
  });

  it('keeps the CSRF secret in an HttpOnly, SameSite=Lax cookie, and has no state-changing GET', async () => {
    const browser = new TestClient(service.url);
    const page = await browser.get('/forgot-password');
    const line = setCookieLine(page, 'lk_csrf') ?? '';
    const attributes = line.split(';').map((a) => a.trim().toLowerCase());
    for (const expected of ['httponly', 'samesite=lax', 'path=/']) assert.ok(attributes.includes(expected), line);
    assert.ok(!page.text.includes(browser.cookies.get('lk_csrf') as string), 'the form carries an HMAC, not the cookie');

    const client = await signedInClient(service, EMAIL, PASSWORD);
    for (const path of ['/logout', '/api/logout', '/api/password/forgot', '/api/password/reset', '/register', '/api/register']) {
      const response = await client.get(path);
      // A page (200) or a POST-only endpoint refusing the method (405): nothing is changed.
      assert.ok(response.status === 405 || response.status === 200, `${path}: ${response.status}`);
    }
    assert.equal((await client.get('/api/session')).status, 200, 'still signed in');
  });

  it('refuses API POSTs that carry a session cookie from a foreign, null or missing Origin', async () => {
    const client = await signedInClient(service, EMAIL, PASSWORD);
    const bodies: Record<string, unknown> = {
      '/api/logout': undefined,
      '/api/login': { email: EMAIL, password: PASSWORD },
      '/api/register': { email: 'x@example.com', password: 'a new passphrase' },
      '/api/password/forgot': { email: EMAIL },
      '/api/password/reset': { token: 'A'.repeat(43), password: 'a new passphrase' },
    };
    const bare = new TestClient(service.url); // sends no Origin at all, with the same cookies
    for (const [name, value] of client.cookies) bare.cookies.set(name, value);
    for (const [path, body] of Object.entries(bodies)) {
      for (const origin of ['https://evil.example', 'null', `${service.config.publicUrl.origin}.evil.example`, undefined]) {
        const sender = origin === undefined ? bare : client;
        const headers: Record<string, string> = origin === undefined ? {} : { origin };
        const response = body === undefined ? await sender.request('POST', path, { headers }) : await sender.postJson(path, body, headers);
        assertRefused(response, 'ORIGIN_NOT_ALLOWED', `${path} from ${origin ?? 'no origin'}`);
      }
    }
    assert.equal((await client.get('/api/session')).status, 200, 'still signed in: nothing was done');
    assert.equal((await client.request('POST', '/api/logout')).status, 204, 'from our own origin it works');
  });
});
