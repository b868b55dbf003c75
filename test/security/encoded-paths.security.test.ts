import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { registerUser, requestResetToken, signedInClient } from '../support/flows.ts';
import { rawRequest } from '../support/http.ts';
import { LogCapture } from '../support/log-capture.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

/**
 * The router decodes percent-escapes (`/%61pi/logout` is served by `/api/logout`), so every check
 * keyed on a path must see what the router sees: the API and form guards, CSRF, the error format
 * and the masking of tokens in logged paths (S12, S23).
 */
describe('percent-encoded paths get the checks of the route that serves them', () => {
  let service: TestService;
  const logs = new LogCapture();
  before(async () => {
    service = await startTestService({ LOG_LEVEL: 'info' }, {}, { logDestination: logs });
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  it('an encoded /api/ path is under the API guard: a session cookie without our Origin is refused', async () => {
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/login')).csrfToken();
    assert.equal((await browser.postForm('/login', { _csrf: csrf, email: EMAIL, password: PASSWORD })).status, 303);
    const fresh = (await browser.get('/')).csrfToken();
    for (const path of ['/%61pi/logout', '/%61%70%69/logout', '/api/log%6Fut']) {
      const response = await browser.postForm(path, { _csrf: fresh });
      assert.ok(response.status === 403 || response.status === 415, `${path}: ${response.status}`);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/, `${path} answers in the API's error shape`);
      assert.ok(['ORIGIN_NOT_ALLOWED', 'UNSUPPORTED_MEDIA_TYPE'].includes(response.json().error.code), path);
    }
    assert.equal((await browser.get('/api/session')).status, 200, 'still signed in: no encoded path reached /api/logout');
  });

  it('an encoded /api/ path is the API for its own callers too (JSON, our Origin)', async () => {
    const api = await signedInClient(service, EMAIL, PASSWORD);
    assert.equal((await api.request('POST', '/%61pi/logout')).status, 204);
    assert.equal((await api.get('/api/session')).status, 401);
  });

  it('an encoded form path still needs its CSRF token', async () => {
    const browser = await signedInClient(service, EMAIL, PASSWORD);
    const response = await browser.postForm('/log%6Fut', {});
    assert.equal(response.status, 403);
    assert.match(response.text, /did not come from this site/);
    assert.equal((await browser.get('/api/session')).status, 200);
  });

  it('an encoded reset path reaches the reset route, and its token never reaches the logs', async () => {
    const token = await requestResetToken(service, EMAIL);
    const browser = new TestClient(service.url);
    for (const path of [`/reset%2Dpassword/${token}`, `/%72eset-password/${token}`, `/reset%2dpassword/${token}?utm=1`]) {
      const opened = await browser.get(path);
      assert.equal(opened.status, 303, path);
      assert.equal(opened.location, '/reset-password');
    }
    assert.equal((await rawRequest(service.url, { method: 'GET', target: `//reset-password/${token}` })).status, 404);
    await logs.waitFor(/request completed/);
    const all = logs.lines.join('');
    assert.ok(all.includes('/reset-password/[redacted]'), 'the requests were logged, masked');
    assert.ok(!all.includes(token), 'no log line holds the token');
  });
});
