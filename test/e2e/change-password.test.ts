import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, setCookieLine, signedInClient } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

describe('change password while signed in', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  it('needs a session, the right current password, a policy-passing and different new one', async () => {
    assert.equal(
      (await apiClient(service).postJson('/api/password/change', { current_password: PASSWORD, new_password: NEW_PASSWORD })).status,
      401,
    );
    const api = await signedInClient(service, EMAIL, PASSWORD);
    const cases: Array<[string, string, number, string]> = [
      ['wrong current password', NEW_PASSWORD, 400, 'CURRENT_PASSWORD_INCORRECT'],
      [PASSWORD, PASSWORD, 400, 'PASSWORD_SAME_AS_CURRENT'],
      [PASSWORD, 'short', 400, 'PASSWORD_TOO_SHORT'],
      [PASSWORD, 'password123', 400, 'PASSWORD_TOO_COMMON'],
    ];
    for (const [current, next, status, code] of cases) {
      const response = await api.postJson('/api/password/change', { current_password: current, new_password: next });
      assert.equal(response.status, status, code);
      assert.equal(response.json().error.code, code);
    }
    const wrongType = await api.postJson('/api/password/change', { current_password: [PASSWORD], new_password: NEW_PASSWORD });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.json().error.code, 'VALIDATION_FAILED');
  });

  it('rotates the current session, ends every other session and outstanding link, and mails the user', async () => {
    const current = await signedInClient(service, EMAIL, PASSWORD);
    const other = await signedInClient(service, EMAIL, PASSWORD);
    const outstanding = await requestResetToken(service, EMAIL);
    const oldCookie = current.cookies.get('lk_session');

    const changed = await current.postJson('/api/password/change', { current_password: PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(changed.status, 200, changed.text);
    assert.match(setCookieLine(changed, 'lk_session') ?? '', /HttpOnly/);
    assert.notEqual(current.cookies.get('lk_session'), oldCookie, 'a new session token');
    assert.equal((await current.get('/api/session')).status, 200, 'the caller stays signed in');
    assert.equal((await other.get('/api/session')).status, 401, 'every other session ended');
    assert.equal(
      (
        await new TestClient(service.url, { origin: service.config.publicUrl.origin, cookie: `lk_session=${oldCookie}` }).get(
          '/api/session',
        )
      ).status,
      401,
      'the old token is dead',
    );

    const reset = await apiClient(service).postJson('/api/password/reset', { token: outstanding, password: 'an attacker passphrase' });
    assert.equal(reset.json().error.code, 'TOKEN_REVOKED');

    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Your password was changed/ });
    assert.match(mail.parsed.text ?? '', /\/forgot-password/);
    assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 401);
    assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: NEW_PASSWORD })).status, 200);
  });

  it('works through the page, with labelled fields, the right autocomplete values and CSRF', async () => {
    const browser = new TestClient(service.url);
    assert.equal((await browser.get('/account/password')).location, '/login?next=%2Faccount%2Fpassword');
    await browser.submitForm('/login', '/login', { email: EMAIL, password: NEW_PASSWORD });
    const page = await browser.get('/account/password');
    assert.equal(page.status, 200);
    for (const [name, autocomplete] of [
      ['current_password', 'current-password'],
      ['new_password', 'new-password'],
      ['new_password_confirm', 'new-password'],
    ]) {
      assert.match(page.text, new RegExp(`<label for="${name}">`));
      assert.match(page.text, new RegExp(`id="${name}" name="${name}" type="password" autocomplete="${autocomplete}"`));
    }
    const fields = { current_password: NEW_PASSWORD, new_password: 'third passphrase here', new_password_confirm: 'third passphrase here' };
    assert.equal((await browser.postForm('/account/password', fields)).status, 403, 'no CSRF token');
    const mismatch = await browser.postForm('/account/password', {
      _csrf: page.csrfToken(),
      ...fields,
      new_password_confirm: 'something else',
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.text, /The two passwords do not match/);
    const done = await browser.postForm('/account/password', { _csrf: page.csrfToken(), ...fields });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/?notice=password-changed');
    assert.match((await browser.get('/?notice=password-changed')).text, /Your password has been changed/);
  });
});
