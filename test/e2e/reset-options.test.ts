import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, setCookieLine, signedInClient } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

/** Opens the emailed link, fills the form, and returns the final response. */
async function resetThroughPage(service: TestService, browser: TestClient, email: string) {
  const token = await requestResetToken(service, email);
  assert.equal((await browser.get(`/reset-password/${token}`)).status, 303);
  const form = await browser.get('/reset-password');
  return browser.postForm('/reset-password', { _csrf: form.csrfToken(), password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
}

describe('AUTO_LOGIN_AFTER_RESET=true', () => {
  let service: TestService;
  const withSecondFactor = new Set<string>();
  before(async () => {
    service = await startTestService(
      { AUTO_LOGIN_AFTER_RESET: 'true' },
      { secondFactors: { requiredFor: async (userId) => withSecondFactor.has(userId) } },
    );
    await registerUser(service, 'ada@example.com', PASSWORD);
    await registerUser(service, 'mfa@example.com', PASSWORD);
  });
  after(() => service.close());

  it('signs the user in with a fresh session after the reset; every old session still ends', async () => {
    const old = await signedInClient(service, 'ada@example.com', PASSWORD);
    const browser = new TestClient(service.url);
    const done = await resetThroughPage(service, browser, 'ada@example.com');
    assert.equal(done.status, 303);
    assert.equal(done.location, '/?notice=signed-in-after-reset');
    assert.match(setCookieLine(done, 'lk_session') ?? '', /HttpOnly/);
    assert.doesNotMatch(setCookieLine(done, 'lk_session') ?? '', /Max-Age/, 'a browser-session cookie');
    assert.match((await browser.get('/?notice=signed-in-after-reset')).text, /you are signed in/);
    assert.equal((await old.get('/api/session')).status, 401, 'the old session ended');
    const events = await service.deps.store.audit.listForUser((await service.deps.store.users.findByCanonicalEmail('ada@example.com'))!.id);
    assert.equal(events[0]?.type, 'login.after_reset');
  });

  it('the API signs in too', async () => {
    const token = await requestResetToken(service, 'ada@example.com');
    const api = apiClient(service);
    const reset = await api.postJson('/api/password/reset', { token, password: 'third passphrase here' });
    assert.equal(reset.status, 200);
    assert.equal(reset.json().user.email, 'ada@example.com');
    assert.equal((await api.get('/api/session')).status, 200);
  });

  it('never bypasses a second factor: such a user goes to the login page', async () => {
    withSecondFactor.add((await service.deps.store.users.findByCanonicalEmail('mfa@example.com'))!.id);
    const browser = new TestClient(service.url);
    const done = await resetThroughPage(service, browser, 'mfa@example.com');
    assert.equal(done.location, '/login?notice=password-reset');
    assert.equal(setCookieLine(done, 'lk_session'), undefined);
    const token = await requestResetToken(service, 'mfa@example.com');
    const api = apiClient(service);
    const reset = await api.postJson('/api/password/reset', { token, password: 'third passphrase here' });
    assert.equal(reset.status, 200);
    assert.equal(reset.json().user, undefined);
    assert.equal(api.cookies.size, 0);
  });
});

describe('the default: no sign-in after a reset (OWASP)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
    await registerUser(service, 'ada@example.com', PASSWORD);
  });
  after(() => service.close());

  it('sends the user to the login page without a session', async () => {
    const browser = new TestClient(service.url);
    const done = await resetThroughPage(service, browser, 'ada@example.com');
    assert.equal(done.location, '/login?notice=password-reset');
    assert.equal(setCookieLine(done, 'lk_session'), undefined);
    assert.equal((await browser.get('/api/session')).status, 401);
  });
});
