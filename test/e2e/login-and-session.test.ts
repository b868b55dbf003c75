import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser, setCookieLine } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

function attributesOf(line: string | undefined): string[] {
  assert.ok(line, 'cookie was set');
  return line
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
}

describe('login, session and logout', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
    await registerUser(service, EMAIL, PASSWORD, 'Ada');
  });
  after(() => service.close());

  it('answers 401 INVALID_CREDENTIALS, identically, for a wrong password and an unknown email', async () => {
    const api = apiClient(service);
    const responses: TestResponse[] = [];
    for (const [email, password] of [
      [EMAIL, 'wrong password'],
      ['nobody@example.com', PASSWORD],
      ['nobody@example.com', 'wrong password'],
      ['not an address', PASSWORD],
    ]) {
      responses.push(await api.postJson('/api/login', { email, password }));
    }
    for (const response of responses) {
      assert.equal(response.status, 401);
      assert.deepEqual(response.json(), { error: { code: 'INVALID_CREDENTIALS', message: 'The email address or password is incorrect.' } });
      assert.deepEqual(headersWithoutDate(response), headersWithoutDate(responses[0] as TestResponse));
    }
    assert.equal(api.cookies.size, 0);
  });

  it('signs in with a session cookie that is HttpOnly, SameSite=Lax, Path=/ (not Secure over http)', async () => {
    const api = apiClient(service);
    const login = await api.postJson('/api/login', { email: ' ADA@example.com', password: PASSWORD });
    assert.equal(login.status, 200);
    assert.deepEqual(Object.keys(login.json().user).sort(), ['email', 'id', 'name', 'username']);
    assert.equal(login.json().user.email, EMAIL);
    const attributes = attributesOf(setCookieLine(login, 'lk_session'));
    for (const expected of ['httponly', 'samesite=lax', 'path=/']) assert.ok(attributes.includes(expected), `${expected} in ${attributes}`);
    assert.ok(!attributes.includes('secure'));
    assert.match(api.cookies.get('lk_session') ?? '', /^[A-Za-z0-9_-]{43}$/);
    const session = await api.get('/api/session');
    assert.equal(session.status, 200);
    assert.deepEqual(session.json().user, login.json().user);
  });

  it('issues a new token on every login and ends the one it replaces', async () => {
    const api = apiClient(service);
    await api.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    const first = api.cookies.get('lk_session') as string;
    await api.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    const second = api.cookies.get('lk_session') as string;
    assert.notEqual(first, second);
    const stale = await apiClient(service).get('/api/session', { cookie: `lk_session=${first}` });
    assert.equal(stale.status, 401);
  });

  it('logs out with 204, clears the cookie and ends the session on the server', async () => {
    const api = apiClient(service);
    await api.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    const token = api.cookies.get('lk_session') as string;
    const logout = await api.request('POST', '/api/logout');
    assert.equal(logout.status, 204);
    assert.match(setCookieLine(logout, 'lk_session') ?? '', /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
    assert.equal((await api.get('/api/session')).status, 401);
    const replay = await apiClient(service).get('/api/session', { cookie: `lk_session=${token}` });
    assert.equal(replay.status, 401);
    assert.deepEqual(replay.json(), { error: { code: 'NOT_AUTHENTICATED', message: 'You are not signed in.' } });
    assert.equal((await apiClient(service).request('POST', '/api/logout')).status, 204, 'logging out without a session is harmless');
  });

  it('signs in and out through the HTML forms, following only a safe next', async () => {
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/login?next=/account%3Fx%3D1')).csrfToken();
    const wrong = await browser.postForm('/login', { _csrf: csrf, email: EMAIL, password: 'wrong password' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /The email address or password is incorrect/);
    const ok = await browser.postForm('/login?next=%2F%2Fevil.example', { _csrf: csrf, email: EMAIL, password: PASSWORD });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/', 'an off-site next is ignored');
    const home = await browser.get('/');
    assert.match(home.text, /Your account/);
    assert.match(home.text, /ada@example.com/);
    const next = await new TestClient(service.url).submitForm('/login', '/login?next=/account%3Fx%3D1', {
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(next.location, '/account?x=1');
    const out = await browser.postForm('/logout', { _csrf: home.csrfToken() });
    assert.equal(out.status, 303);
    assert.equal(out.location, '/login?notice=signed-out');
    assert.match((await browser.get('/login?notice=signed-out')).text, /You have been signed out/);
    assert.doesNotMatch((await browser.get('/')).text, /Your account/);
  });

  it('marks cookies Secure with the __Host- prefix when PUBLIC_URL is https', async () => {
    const https = await startTestService({ PUBLIC_URL: 'https://id.example.test' });
    try {
      await registerUser(https, EMAIL, PASSWORD);
      const login = await apiClient(https).postJson('/api/login', { email: EMAIL, password: PASSWORD });
      assert.equal(login.status, 200);
      const attributes = attributesOf(setCookieLine(login, '__Host-lk_session'));
      for (const expected of ['secure', 'httponly', 'samesite=lax', 'path=/']) assert.ok(attributes.includes(expected), expected);
      assert.ok(!attributes.some((a) => a.startsWith('domain=')));
      assert.match(login.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    } finally {
      await https.close();
    }
  });
});
