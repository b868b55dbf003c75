import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, tokenOf } from '../support/flows.ts';
import { resetLinkIn } from '../support/smtp.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('the reset form and link expiry (RESET_TOKEN_TTL=900, manual clock)', () => {
  let service: TestService;
  const clock = new ManualClock();
  before(async () => {
    // The idle timeout is set to SESSION_TTL so that the last test measures the absolute lifetime alone.
    service = await startTestService({ RESET_TOKEN_TTL: '900', SESSION_IDLE_TIMEOUT: String(14 * 86_400) }, { clock });
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  async function openLink(): Promise<{ browser: TestClient; csrf: string; token: string }> {
    assert.equal((await apiClient(service).postJson('/api/password/forgot', { email: EMAIL })).status, 202);
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
    assert.match(mail.parsed.text ?? '', /The link expires in 15 minutes and works once/);
    const token = tokenOf(resetLinkIn(mail));
    const browser = new TestClient(service.url);
    assert.equal((await browser.get(`/reset-password/${token}`)).status, 303);
    const form = await browser.get('/reset-password');
    assert.equal(form.status, 200);
    return { browser, csrf: form.csrfToken(), token };
  }

  it('explains each refused password on the form and keeps the link usable', async () => {
    const { browser, csrf } = await openLink();
    const cases: Array<[string, string, RegExp]> = [
      ['a brand new passphrase', 'a different passphrase', /The two passwords do not match/],
      ['short', 'short', /at least 8 characters/],
      ['password1', 'password1', /most commonly used passwords/],
      ['ada-is-my-name', 'ada-is-my-name', /must not be your email address/],
      [PASSWORD, PASSWORD, /must be different from your current password/],
    ];
    for (const [password, password_confirm, message] of cases) {
      const page = await browser.postForm('/reset-password', { _csrf: csrf, password, password_confirm });
      assert.equal(page.status, 400, password);
      assert.match(page.text, message);
      assert.match(page.text, /<form method="post" action="\/reset-password"/, 'the form is shown again');
    }
    const done = await browser.postForm('/reset-password', {
      _csrf: csrf,
      password: 'a brand new passphrase',
      password_confirm: 'a brand new passphrase',
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/login?notice=password-reset');
    assert.ok(!browser.cookies.has('lk_reset'), 'the reset cookie is cleared');
    assert.ok(!browser.cookies.has('lk_session'), 'no silent login (S17)');
    assert.equal((await browser.get('/api/session')).status, 401);
    assert.match((await browser.get('/login?notice=password-reset')).text, /Your password has been changed/);
    const again = await browser.get('/reset-password');
    assert.equal(again.status, 400, 'the form is gone once used');
  });

  it('the API answers each refused password with its code and keeps the token usable', async () => {
    const { token } = await openLink();
    const api = apiClient(service);
    const cases: Array<[string, string]> = [
      ['short', 'PASSWORD_TOO_SHORT'],
      ['x'.repeat(129), 'PASSWORD_TOO_LONG'],
      ['iloveyou', 'PASSWORD_TOO_COMMON'],
      ['ada@example.com', 'PASSWORD_CONTAINS_EMAIL'],
      ['bad\u0000password', 'PASSWORD_INVALID_CHARACTERS'],
      ['a brand new passphrase', 'PASSWORD_SAME_AS_CURRENT'],
    ];
    for (const [password, code] of cases) {
      const response = await api.postJson('/api/password/reset', { token, password });
      assert.equal(response.status, 400, code);
      assert.equal(response.json().error.code, code);
    }
    assert.equal((await api.postJson('/api/password/reset', { token, password: 'the third passphrase' })).status, 200);
    assert.equal((await api.postJson('/api/password/reset', { token, password: 'the fourth passphrase' })).json().error.code, 'TOKEN_USED');
    assert.equal((await api.postJson('/api/login', { email: EMAIL, password: 'the third passphrase' })).status, 200);
  });

  it('works until its TTL and then shows "expired" with a button to request a new link', async () => {
    const { browser, csrf, token } = await openLink();
    clock.advanceSeconds(899);
    assert.equal((await browser.get('/reset-password')).status, 200);
    clock.advanceSeconds(1);
    const expired = await new TestClient(service.url).get(`/reset-password/${token}`);
    assert.equal(expired.status, 400);
    assert.match(expired.text, /This link has expired/);
    assert.match(expired.text, /<form method="get" action="\/forgot-password"><button type="submit">Request a new link<\/button>/);
    const post = await browser.postForm('/reset-password', {
      _csrf: csrf,
      password: 'another new passphrase',
      password_confirm: 'another new passphrase',
    });
    assert.equal(post.status, 400);
    assert.match(post.text, /This link has expired/);
    const api = await apiClient(service).postJson('/api/password/reset', { token, password: 'another new passphrase' });
    assert.equal(api.json().error.code, 'TOKEN_EXPIRED');
    assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: 'the third passphrase' })).status, 200);
  });

  it('ends remembered sessions after SESSION_TTL', async () => {
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/login', { email: EMAIL, password: 'the third passphrase', remember: true })).status, 200);
    clock.advanceSeconds(service.config.sessionTtlSeconds - 1);
    assert.equal((await api.get('/api/session')).status, 200);
    clock.advanceSeconds(1);
    assert.equal((await api.get('/api/session')).status, 401);
  });
});
