import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { rawRequest } from '../support/http.ts';
import { resetLinkIn } from '../support/smtp.ts';

const PUBLIC_URL = 'https://id.example.test/auth';
const ORIGIN = 'https://id.example.test';
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const EVIL = 'evil.example';

/**
 * Under a base path every check keyed on the path must still hold: CSRF on form posts, the JSON
 * API's content-type and Origin rules, safe redirects, links from PUBLIC_URL only, token paths
 * masked in logs, `__Host-` traded for `__Secure-` (a `__Host-` cookie must have Path=/).
 */
describe('security checks under a base path (PUBLIC_URL=https://id.example.test/auth)', () => {
  let service: TestService;
  const logLines: string[] = [];
  let api: TestClient;
  before(async () => {
    service = await startTestService(
      { PUBLIC_URL, CONFIRM_EMAIL: 'off', TRUST_PROXY: 'loopback' },
      {},
      { logger: () => createLogger('trace', { write: (line: string) => void logLines.push(line) }) },
    );
    api = new TestClient(service.url, { origin: ORIGIN });
    assert.equal((await api.postJson('/auth/api/register', { email: EMAIL, password: PASSWORD })).status, 202);
    await service.smtp.waitForMail(EMAIL, { subject: /Welcome/ });
  });
  after(() => service.close());

  it('scopes the __Secure- session and CSRF cookies to the base path (never __Host-, which demands Path=/)', async () => {
    const page = await api.get('/auth/login');
    const csrf = page.headers.getSetCookie().find((l) => l.startsWith('__Secure-lk_csrf='));
    assert.match(csrf ?? '', /; Path=\/auth;/);
    assert.match(csrf ?? '', /; Secure/);
    const login = await api.postJson('/auth/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(login.status, 200);
    const session = login.headers.getSetCookie().find((l) => l.startsWith('__Secure-lk_session='));
    assert.match(session ?? '', /; Path=\/auth;.*HttpOnly; Secure; SameSite=Lax/);
    for (const line of [...page.headers.getSetCookie(), ...login.headers.getSetCookie()]) assert.ok(!line.startsWith('__Host-'), line);
    assert.equal((await api.get('/auth/api/session')).status, 200);
  });

  it('still demands the CSRF token on every form post under the base path', async () => {
    const browser = new TestClient(service.url);
    const page = await browser.get('/auth/login');
    const missing = await browser.postForm('/auth/login', { email: EMAIL, password: PASSWORD });
    assert.equal(missing.status, 403);
    assert.match(missing.text, /The form expired or did not come from this site/);
    const wrong = await browser.postForm('/auth/forgot-password', { _csrf: 'x'.repeat(43), email: EMAIL });
    assert.equal(wrong.status, 403);
    const good = await browser.postForm('/auth/login', { _csrf: page.csrfToken(), email: EMAIL, password: PASSWORD });
    assert.equal(good.status, 303);
  });

  it('still holds API requests to JSON and, with a session cookie, to an allowed Origin', async () => {
    const signedIn = new TestClient(service.url, { origin: ORIGIN });
    assert.equal((await signedIn.postJson('/auth/api/login', { email: EMAIL, password: PASSWORD })).status, 200);
    const foreign = await signedIn.request('POST', '/auth/api/sessions/revoke-others', { headers: { origin: `https://${EVIL}` } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json().error.code, 'ORIGIN_NOT_ALLOWED', 'API errors keep the JSON shape under the base path');
    const textPlain = await signedIn.request('POST', '/auth/api/password/forgot', {
      body: JSON.stringify({ email: EMAIL }),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(textPlain.status, 415);
    assert.equal(textPlain.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const formToApi = await signedIn.postForm('/auth/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(formToApi.status, 415);
    const unknown = await signedIn.get('/auth/api/nothing-here');
    assert.equal(unknown.json().error.code, 'NOT_FOUND');
  });

  it('keeps redirects home: next values are app paths, and only they get the base path', async () => {
    const cases: Array<[string, string]> = [
      ['/account/sessions', '/auth/account/sessions'],
      [`//${EVIL}`, '/auth/'],
      [`/\\${EVIL}`, '/auth/'],
      [`https://${EVIL}/`, '/auth/'],
      [`/%2F%2F${EVIL}`, '/auth/'],
      [`/%5C${EVIL}`, '/auth/'],
      ['javascript:alert(1)', '/auth/'],
    ];
    for (const [next, expected] of cases) {
      const browser = new TestClient(service.url);
      const page = await browser.get(`/auth/login?next=${encodeURIComponent(next)}`);
      const response = await browser.postForm(`/auth/login?next=${encodeURIComponent(next)}`, {
        _csrf: page.csrfToken(),
        email: EMAIL,
        password: PASSWORD,
      });
      assert.equal(response.status, 303, next);
      assert.equal(response.location, expected, next);
    }
  });

  it('builds mail links from PUBLIC_URL and its path, whatever the request says about the host', async () => {
    const forgot = await rawRequest(service.url, {
      method: 'POST',
      target: `http://${EVIL}/auth/api/password/forgot`,
      headers: { host: EVIL, 'x-forwarded-host': EVIL, forwarded: `host=${EVIL}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL }),
    });
    assert.equal(forgot.status, 202, forgot.text);
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
    const link = resetLinkIn(mail);
    assert.match(link, /^https:\/\/id\.example\.test\/auth\/reset-password\/[A-Za-z0-9_-]{43}$/);
    assert.ok(!mail.raw.includes(EVIL));

    // Opening it (the token travels in the path, under /auth) leaves no trace of the token in the logs.
    const token = link.split('/').pop() as string;
    const opened = await rawRequest(service.url, { method: 'GET', target: `/auth/reset-password/${token}` });
    assert.equal(opened.status, 303);
    assert.equal(opened.headers.location, '/auth/reset-password');
    const absolute = await rawRequest(service.url, { method: 'GET', target: `http://${EVIL}/auth/reset-password/${token}?utm=x` });
    assert.equal(absolute.status, 303);
    assert.ok(
      logLines.some((l) => l.includes('/reset-password/[redacted]')),
      'the request was logged, masked',
    );
    assert.ok(!logLines.some((l) => l.includes(token)), 'the token appears in no log line');
  });

  it('refuses requests outside the base path, also when spelled to look inside it', async () => {
    for (const target of [
      '/login',
      '/api/session',
      `http://${EVIL}/login`,
      '/auth/../login',
      '/auth%2Flogin',
      '/authlogin',
      '//auth/login',
    ]) {
      const response = await rawRequest(service.url, { method: 'GET', target });
      assert.equal(response.status, 404, target);
    }
    const inside = await rawRequest(service.url, { method: 'GET', target: `http://${EVIL}/auth/login` });
    assert.equal(inside.status, 200, 'an absolute-form target is routed by its path');
  });
});
