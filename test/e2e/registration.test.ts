import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, headersWithoutDate, tokenOf } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

describe('registration (API and form)', () => {
  let service: TestService;
  let confirmLink = '';
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  it('answers 202 with the same body for a new and an existing address, and never signs in', async () => {
    const api = apiClient(service);
    const created = await api.postJson('/api/register', { email: 'Ada@example.com', password: PASSWORD, name: 'Ada' });
    assert.equal(created.status, 202);
    assert.match(created.json().message, /We have sent a message to that address/);
    const again = await api.postJson('/api/register', { email: ' ada@example.COM', password: 'another passphrase here', name: 'Mallory' });
    assert.equal(again.status, 202);
    assert.equal(again.text, created.text);
    assert.deepEqual(headersWithoutDate(again), headersWithoutDate(created));
    assert.equal(created.headers.getSetCookie().length, 0, 'no session cookie');
    assert.equal(again.headers.getSetCookie().length, 0);
    assert.equal((await api.get('/api/session')).status, 401);
  });

  it('mails a welcome to a new address and "you already have an account" to the stored address', async () => {
    const welcome = await service.smtp.waitForMail('Ada@example.com', { subject: /Welcome to Latchkey/ });
    confirmLink = /https?:\/\/\S+\/confirm-email\/[A-Za-z0-9_-]+/.exec(welcome.parsed.text ?? '')?.[0] ?? '';
    assert.ok(
      confirmLink.startsWith(`${service.config.publicUrl.origin}/confirm-email/`),
      'the welcome mail carries the confirmation link',
    );
    assert.match(welcome.parsed.text ?? '', /^Hello,\n/, 'the address is not confirmed: the name typed into the form is not repeated');
    assert.match(welcome.parsed.text ?? '', new RegExp(`${service.config.publicUrl.origin}/login`));
    const exists = await service.smtp.waitForMail('Ada@example.com', { subject: /You already have an account/ });
    assert.deepEqual(exists.envelopeTo, ['Ada@example.com'], 'sent to the address as stored, not as typed the second time');
    assert.match(exists.parsed.text ?? '', /^Hello,\n/, 'no name, stored or typed, while the address is not confirmed');
    assert.match(exists.parsed.text ?? '', /\/forgot-password/);
    assert.equal(exists.parsed.to?.[0]?.address, 'Ada@example.com');
    assert.equal(service.smtp.mailsTo('ada@example.com').length, 0, 'nothing to the address as typed');
  });

  it('leaves the existing account as it was', async () => {
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/login', { email: 'ada@example.com', password: 'another passphrase here' })).status, 401);
    // CONFIRM_EMAIL=required (the default): the account signs in once its address is confirmed.
    assert.equal(
      (await api.postJson('/api/login', { email: 'ada@example.com', password: PASSWORD })).json().error.code,
      'EMAIL_NOT_CONFIRMED',
    );
    assert.equal((await api.postJson('/api/confirm', { token: tokenOf(confirmLink) })).status, 200);
    const login = await api.postJson('/api/login', { email: 'ada@example.com', password: PASSWORD });
    assert.equal(login.status, 200);
    assert.deepEqual({ email: login.json().user.email, name: login.json().user.name }, { email: 'Ada@example.com', name: 'Ada' });
    const users = await service.deps.store.db.selectFrom('users').selectAll().execute();
    assert.equal(users.length, 1);
    assert.equal(users[0]?.email_canonical, 'ada@example.com');
  });

  it('explains what is wrong with the input', async () => {
    const api = apiClient(service);
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ email: 'not-an-address', password: PASSWORD }, 'EMAIL_INVALID', /valid email address/],
      [{ email: 'a@x.com,b@y.com', password: PASSWORD }, 'EMAIL_INVALID', /valid email address/],
      [{ email: 'new@example.com', password: 'short' }, 'PASSWORD_TOO_SHORT', /at least 8 characters/],
      [{ email: 'new@example.com', password: 'x'.repeat(129) }, 'PASSWORD_TOO_LONG', /at most 128 characters/],
      [{ email: 'new@example.com', password: 'password1' }, 'PASSWORD_TOO_COMMON', /most commonly used/],
      [{ email: 'jonathan@example.com', password: 'jonathan-secret' }, 'PASSWORD_CONTAINS_EMAIL', /email address/],
      [{ email: 'new@example.com', password: PASSWORD, name: 'bad\nname' }, 'NAME_INVALID', /name/],
    ];
    for (const [body, code, message] of cases) {
      const response = await api.postJson('/api/register', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json().error.code, code);
      assert.match(response.json().error.message, message);
    }
    assert.equal(await service.deps.store.users.findByCanonicalEmail('new@example.com'), undefined);
  });

  it('works through the HTML form, refusing mismatched passwords, and sets no session cookie', async () => {
    const browser = new TestClient(service.url);
    const mismatch = await browser.submitForm('/register', '/register', {
      email: 'grace@example.com',
      password: PASSWORD,
      password_confirm: 'different',
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.text, /do not match/);
    assert.match(mismatch.text, /value="grace@example.com"/, 'the address is kept in the form');
    const done = await browser.submitForm('/register', '/register', {
      name: 'Grace',
      email: 'grace@example.com',
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/check-inbox');
    const inbox = await browser.get('/check-inbox');
    assert.match(inbox.text, /We have sent a message to <strong>grace@example.com<\/strong>/);
    assert.ok(!browser.cookies.has('lk_session'));
    await service.smtp.waitForMail('grace@example.com', { subject: /Welcome/ });
  });
});
