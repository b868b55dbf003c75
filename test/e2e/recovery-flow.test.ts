import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { resetLinkIn } from '../support/smtp.ts';

describe('password recovery over HTTP with a real SMTP server', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  it('registers, requests a reset, follows the emailed link and signs in with the new password', async () => {
    const api = new TestClient(service.url, { origin: service.config.publicUrl.origin });
    const email = 'ada@example.com';
    const registered = await api.postJson('/api/register', { email, password: 'correct horse battery', name: 'Ada' });
    assert.equal(registered.status, 202);
    const welcome = await service.smtp.waitForMail(email, { subject: /Welcome/ });
    assert.match(welcome.parsed.text ?? '', /Sign in/);

    const forgot = await api.postJson('/api/password/forgot', { email: 'ADA@example.com ' });
    assert.equal(forgot.status, 202);
    const mail = await service.smtp.waitForMail(email, { subject: /Reset your password/ });
    const link = resetLinkIn(mail);
    assert.ok(link.startsWith(`${service.config.publicUrl.origin}/reset-password/`), link);
    assert.match(mail.parsed.text ?? '', /expires in 1 hour/);
    const token = link.split('/').pop() as string;

    const browser = new TestClient(service.url);
    const opened = await browser.get(new URL(link).pathname);
    assert.equal(opened.status, 303);
    assert.equal(opened.location, '/reset-password');
    const form = await browser.get('/reset-password');
    assert.equal(form.status, 200);
    assert.equal(form.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(form.headers.get('cache-control'), 'no-store');
    assert.ok(!form.text.includes(token), 'the form page must not contain the token');

    const done = await browser.postForm('/reset-password', {
      _csrf: form.csrfToken(),
      password: 'a brand new passphrase',
      password_confirm: 'a brand new passphrase',
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/login?notice=password-reset');
    const changed = await service.smtp.waitForMail(email, { subject: /password was changed/ });
    assert.match(changed.parsed.text ?? '', /forgot-password/);

    const oldLogin = await api.postJson('/api/login', { email, password: 'correct horse battery' });
    assert.equal(oldLogin.status, 401);
    const login = await api.postJson('/api/login', { email, password: 'a brand new passphrase' });
    assert.equal(login.status, 200);
    assert.equal(login.json().user.email, email);
    const session = await api.get('/api/session');
    assert.equal(session.status, 200);

    const reuse = await api.postJson('/api/password/reset', { token, password: 'yet another passphrase' });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.json().error.code, 'TOKEN_USED');
  });
});
