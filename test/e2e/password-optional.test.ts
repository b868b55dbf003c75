import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { CliSandbox } from '../support/cli.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
/** What every limit is raised to here, so that the flows, not the limits, answer. */
const ROOMY = { RATE_LIMIT_REAUTH_SESSION: '1000/900', RATE_LIMIT_REAUTH_ACCOUNT: '1000/900', RATE_LIMIT_FORGOT_EMAIL: '1000/3600' };

/** The 8-digit code of the newest "confirmation code" mail to `email`. */
async function mailedCode(service: TestService, email: string): Promise<string> {
  const mail = await service.smtp.waitForMail(email, { subject: /confirmation code/ });
  const code = /Your code is: (\d{8})\b/.exec(mail.parsed.text ?? '')?.[1];
  assert.ok(code, `an 8-digit code in "${mail.parsed.text}"`);
  return code;
}

/** A session for the account made directly through the service, as an emailed-link sign-in would. */
async function sessionFor(service: TestService, email: string, client: TestClient = apiClient(service)): Promise<TestClient> {
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  assert.ok(user, `an account for ${email}`);
  const { token } = await service.deps.sessions.create(
    user.id,
    { ip: '127.0.0.1', userAgent: 'test' },
    { persistent: false, amr: ['email'] },
  );
  client.cookies.set('lk_session', token);
  return client;
}

/** Registers without a password through the API and confirms the address, so the account is usable. */
async function registerWithoutPassword(service: TestService, email: string): Promise<void> {
  const response = await apiClient(service).postJson('/api/register', { email });
  assert.equal(response.status, 202, response.text);
  const welcome = await service.smtp.waitForMail(email, { subject: /Welcome/ });
  const token = /\/confirm-email\/([A-Za-z0-9_-]+)/.exec(welcome.parsed.text ?? '')?.[1];
  assert.equal((await apiClient(service).postJson('/api/confirm', { token })).status, 200);
}

describe('accounts without a password (PASSWORD_OPTIONAL=true)', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  before(async () => {
    service = await startTestService({ PASSWORD_OPTIONAL: 'true', ...ROOMY }, { clock });
  });
  after(() => service.close());

  it('registers through the API without a password, or with an empty one, answering as with one', async () => {
    const api = apiClient(service);
    const withPassword = await api.postJson('/api/register', { email: 'with@example.com', password: PASSWORD });
    const missing = await api.postJson('/api/register', { email: 'missing@example.com' });
    const empty = await api.postJson('/api/register', { email: 'empty@example.com', password: '' });
    for (const response of [missing, empty]) {
      assert.equal(response.status, 202);
      assert.equal(response.text, withPassword.text);
      assert.deepEqual(headersWithoutDate(response), headersWithoutDate(withPassword));
    }
    for (const email of ['missing@example.com', 'empty@example.com']) {
      await service.smtp.waitForMail(email, { subject: /Welcome/ });
      const user = await service.deps.store.users.findByCanonicalEmail(email);
      assert.equal(user?.password_hash, null, `${email} has no password`);
    }
    assert.notEqual((await service.deps.store.users.findByCanonicalEmail('with@example.com'))?.password_hash, null);
    // A taken address: the same answer, and the owner is told, password or not.
    const taken = await api.postJson('/api/register', { email: 'missing@example.com' });
    assert.equal(taken.text, withPassword.text);
    await service.smtp.waitForMail('missing@example.com', { subject: /You already have an account/ });
    // A password that is given still follows the policy.
    const weak = await api.postJson('/api/register', { email: 'weak@example.com', password: 'short' });
    assert.equal(weak.json().error.code, 'PASSWORD_TOO_SHORT');
  });

  it('registers through the form with the password fields left empty; the form says they are optional', async () => {
    const browser = new TestClient(service.url);
    const form = await browser.get('/register');
    assert.match(form.text, /<label for="password">Password \(optional\)<\/label>/);
    assert.match(form.text, /leave it empty: you then sign in with a link or code we email you or a passkey/);
    assert.doesNotMatch(form.text, /id="password"[^>]* required/, 'the field is not required');
    const mismatch = await browser.postForm('/register', {
      _csrf: form.csrfToken(),
      email: 'form@example.com',
      password: PASSWORD,
      password_confirm: '',
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.text, /do not match/);
    const done = await browser.postForm('/register', {
      _csrf: form.csrfToken(),
      email: 'form@example.com',
      password: '',
      password_confirm: '',
    });
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.match((await browser.get(done.location as string)).text, /We have sent a message to <strong>form@example.com<\/strong>/);
    await service.smtp.waitForMail('form@example.com', { subject: /Welcome/ });
    assert.equal((await service.deps.store.users.findByCanonicalEmail('form@example.com'))?.password_hash, null);
  });

  it('signs in with no password at all: every password answers INVALID_CREDENTIALS, like an unknown address', async () => {
    await registerWithoutPassword(service, 'nopass@example.com');
    const api = apiClient(service);
    const unknown = await api.postJson('/api/login', { email: 'nobody@example.com', password: PASSWORD });
    for (const password of [PASSWORD, 'x', '', ' ']) {
      if (password === '') continue; // an empty password is refused by the schema before any lookup
      const refused = await api.postJson('/api/login', { email: 'nopass@example.com', password });
      assert.equal(refused.status, 401);
      assert.equal(refused.text, unknown.text);
    }
  });

  it('sets a password after a recent sign-in: policy, other sessions ended, a notice mail, and it signs in', async () => {
    await registerWithoutPassword(service, 'setter@example.com');
    const api = await sessionFor(service, 'setter@example.com');
    const other = await sessionFor(service, 'setter@example.com');
    const account = (await api.get('/api/account')).json().account;
    assert.equal(account.hasPassword, false);

    const page = await sessionFor(service, 'setter@example.com', new TestClient(service.url));
    const form = await page.get('/account/password');
    assert.equal(form.status, 200);
    assert.match(form.text, /<h1>Set a password<\/h1>/);
    assert.doesNotMatch(form.text, /current_password/, 'no current password is asked for');

    assert.equal((await api.postJson('/api/password/change', { new_password: 'password1' })).json().error.code, 'PASSWORD_TOO_COMMON');
    const set = await api.postJson('/api/password/change', { new_password: PASSWORD });
    assert.equal(set.status, 200, set.text);
    assert.match(set.json().message, /Your password is set/);
    assert.equal((await api.get('/api/session')).status, 200, 'the caller gets a fresh session');
    assert.equal((await other.get('/api/session')).status, 401, 'every other session ended');
    const notice = await service.smtp.waitForMail('setter@example.com', { subject: /A password was set/ });
    assert.match(notice.parsed.text ?? '', /\/forgot-password/);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'setter@example.com', password: PASSWORD })).status, 200);
    const events = (await service.deps.store.audit.listForUser(account.id, 50)).map((e) => e.type);
    assert.ok(events.includes('password.set'));

    // From now on it is a password change: the current password is needed again.
    const again = await api.postJson('/api/password/change', { new_password: NEW_PASSWORD });
    assert.equal(again.status, 403);
    assert.equal(again.json().error.code, 'REAUTH_REQUIRED');
    assert.equal(
      (await api.postJson('/api/password/change', { current_password: 'wrong one here', new_password: NEW_PASSWORD })).json().error.code,
      'CURRENT_PASSWORD_INCORRECT',
    );
  });

  it('sets a password through the page', async () => {
    await registerWithoutPassword(service, 'pageset@example.com');
    const browser = await sessionFor(service, 'pageset@example.com', new TestClient(service.url));
    const home = await browser.get('/');
    assert.equal(home.status, 200);
    const form = await browser.get('/account/password');
    const done = await browser.postForm('/account/password', {
      _csrf: form.csrfToken(),
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.equal(done.location, '/?notice=password-set');
    assert.match((await browser.get('/?notice=password-set')).text, /Your password is set/);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'pageset@example.com', password: NEW_PASSWORD })).status, 200);
  });

  it('asks for a recent authentication, not a password, once the sign-in is old: REAUTH_REQUIRED, and the pages go to "Confirm it is you"', async () => {
    await registerWithoutPassword(service, 'stale@example.com');
    const api = await sessionFor(service, 'stale@example.com');
    const browser = await sessionFor(service, 'stale@example.com', new TestClient(service.url));
    clock.advanceSeconds(601);
    const refused = await api.postJson('/api/password/change', { new_password: NEW_PASSWORD });
    assert.equal(refused.status, 403);
    assert.equal(refused.json().error.code, 'REAUTH_REQUIRED');
    assert.match(refused.json().error.message, /ask for a code by email/);
    const email = await api.postJson('/api/email/change', { email: 'stale.new@example.com' });
    assert.equal(email.json().error.code, 'REAUTH_REQUIRED');
    assert.equal((await api.postJson('/api/mfa/totp/setup', {})).json().error.code, 'REAUTH_REQUIRED');
    // No page dead-ends on a password field the account cannot fill.
    for (const path of ['/account/password', '/account/email', '/account/two-factor', '/account/two-factor/setup', '/account/phone']) {
      const page = await browser.get(path);
      assert.equal(page.status, 303, path);
      assert.equal(page.location, `/account/confirm?next=${encodeURIComponent(path)}`);
    }
    assert.equal(await service.deps.store.users.findByCanonicalEmail('stale.new@example.com'), undefined);
  });

  it('confirms it is you by an emailed code (API): single use, 5 wrong entries kill it, and then changes go through', async () => {
    await registerWithoutPassword(service, 'coder@example.com');
    const api = await sessionFor(service, 'coder@example.com');
    clock.advanceSeconds(601);
    assert.equal((await api.postJson('/api/email/change', { email: 'coder.new@example.com' })).status, 403);

    // Five wrong entries: the code is dead, the right one no longer works.
    assert.equal((await api.postJson('/api/reauthenticate/code', {})).status, 202);
    const first = await mailedCode(service, 'coder@example.com');
    const wrong = first === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 5; i++) {
      const answer = await api.postJson('/api/reauthenticate', { code: wrong });
      assert.equal(answer.status, 400);
      assert.equal(answer.json().error.code, 'CODE_INVALID');
    }
    const dead = await api.postJson('/api/reauthenticate', { code: first });
    assert.equal(dead.json().error.code, 'CODE_INVALID');
    assert.match(dead.json().error.message, /Ask for a new one/);

    // A new code works once.
    const sent = await api.request('POST', '/api/reauthenticate/code');
    assert.equal(sent.status, 202, `the body is optional: ${sent.text}`);
    assert.equal(sent.json().expiresInSeconds, 600);
    const code = await mailedCode(service, 'coder@example.com');
    assert.equal((await api.postJson('/api/reauthenticate', { code: code.replace(/(\d{4})/, '$1 ') })).status, 204);
    assert.equal((await api.postJson('/api/reauthenticate', { code })).json().error.code, 'CODE_INVALID', 'single use');
    const changed = await api.postJson('/api/email/change', { email: 'coder.new@example.com' });
    assert.equal(changed.status, 202, changed.text);
    await service.smtp.waitForMail('coder.new@example.com', { subject: /Confirm your new email address/ });

    // Bad shapes are named 400s, never 500s.
    for (const body of [{}, { code, password: PASSWORD }, { code: 12345678 }, { code: ['1'] }, { code: '' }, { other: 1 }]) {
      const answer = await api.postJson('/api/reauthenticate', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.json().error.code, 'VALIDATION_FAILED');
    }
    assert.equal((await api.postJson('/api/reauthenticate/code', { email: 'x@example.com' })).status, 400);
    assert.equal((await apiClient(service).postJson('/api/reauthenticate/code', {})).status, 401);
  });

  it('confirms it is you through the page: "Email me a code", the code, back to the form, which then asks no password', async () => {
    await registerWithoutPassword(service, 'pager@example.com');
    const browser = await sessionFor(service, 'pager@example.com', new TestClient(service.url));
    clock.advanceSeconds(601);
    const sent = (await browser.get('/account/email')).location as string;
    const confirm = await browser.get(sent);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /<h1>Confirm it is you<\/h1>/);
    assert.doesNotMatch(confirm.text, /name="password"/, 'no password form for an account without one');
    assert.doesNotMatch(confirm.text, /data-passkey-reauth/, 'no passkey button without a passkey');
    assert.match(confirm.text, /<input type="hidden" name="next" value="\/account\/email">/);

    const asked = await browser.postForm('/account/confirm/code/send', { _csrf: confirm.csrfToken(), next: '/account/email' });
    assert.equal(asked.status, 303);
    assert.equal(asked.location, '/account/confirm?next=%2Faccount%2Femail&sent=1');
    const codePage = await browser.get(asked.location as string);
    assert.match(codePage.text, /<label for="code">Code from the email<\/label>/);
    assert.match(codePage.text, /autocomplete="one-time-code"/);
    const code = await mailedCode(service, 'pager@example.com');
    const wrong = await browser.postForm('/account/confirm/code', { _csrf: codePage.csrfToken(), next: '/account/email', code: '1234' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /The code is not correct/);
    const done = await browser.postForm('/account/confirm/code', { _csrf: codePage.csrfToken(), next: '/account/email', code });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/account/email');

    const form = await browser.get('/account/email');
    assert.equal(form.status, 200);
    assert.doesNotMatch(form.text, /name="password"/);
    const changed = await browser.postForm('/account/email', { _csrf: form.csrfToken(), email: 'pager.new@example.com' });
    assert.equal(changed.status, 303, changed.text.slice(0, 300));
    assert.equal(changed.location, '/?notice=email-change-sent');
    for (const path of ['/account/two-factor', '/account/phone', '/account/password']) {
      const page = await browser.get(path);
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(page.text, /name="(current_)?password"/, `${path} asks for no password`);
    }
  });

  it('latchkey users show says the account has no password, and then that it has one', async () => {
    const sandbox = new CliSandbox();
    const show = async (email: string) => (await sandbox.run(['users', 'show', email], { DATABASE_URL: service.databaseUrl })).stdout;
    assert.match(await show('nopass@example.com'), /^password: +none \(signs in by an emailed link or code, a passkey, or a reset\)$/m);
    assert.match(await show('nopass@example.com'), /^status: +no-password$/m);
    assert.match(await show('setter@example.com'), /^password: +set$/m);
  });

  it('keeps "next" on this site and offers the password to an account that has one', async () => {
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/register', { email: 'haspass@example.com', password: PASSWORD })).status, 202);
    const user = await service.deps.store.users.findByCanonicalEmail('haspass@example.com');
    assert.ok(user);
    const browser = await sessionFor(service, 'haspass@example.com', new TestClient(service.url));
    for (const next of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      '/account/confirm?next=/x',
    ]) {
      const page = await browser.get(`/account/confirm?next=${encodeURIComponent(next)}`);
      assert.equal(page.status, 200);
      assert.match(page.text, /<input type="hidden" name="next" value="\/">/, next);
    }
    const page = await browser.get('/account/confirm?next=%2Faccount%2Ftwo-factor');
    assert.match(page.text, /<label for="password">Your password<\/label>/);
    const wrong = await browser.postForm('/account/confirm', {
      _csrf: page.csrfToken(),
      next: '/account/two-factor',
      password: 'not it at all',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /Your current password is not correct/);
    const right = await browser.postForm('/account/confirm', { _csrf: page.csrfToken(), next: '/account/two-factor', password: PASSWORD });
    assert.equal(right.status, 303);
    assert.equal(right.location, '/account/two-factor');
    // Signed out, the page sends to sign in and back.
    const anonymous = await new TestClient(service.url).get('/account/confirm?next=%2Faccount%2Femail');
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.location, `/login?next=${encodeURIComponent('/account/confirm?next=%2Faccount%2Femail')}`);
  });
});

describe('without PASSWORD_OPTIONAL a password stays required', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  it('answers 400 naming the field, through the API and the form', async () => {
    const api = apiClient(service);
    const answers: TestResponse[] = [await api.postJson('/api/register', { email: 'ada@example.com' })];
    const empty = await api.postJson('/api/register', { email: 'ada@example.com', password: '' });
    answers.push(empty);
    for (const answer of answers) {
      assert.equal(answer.status, 400);
      assert.equal(answer.json().error.code, 'VALIDATION_FAILED');
      assert.match(answer.json().error.message, /password/);
    }
    const browser = new TestClient(service.url);
    const form = await browser.get('/register');
    assert.doesNotMatch(form.text, /optional\)<\/label>\n<input id="password"/);
    assert.match(form.text, /<label for="password">Password<\/label>/);
    const refused = await browser.postForm('/register', {
      _csrf: form.csrfToken(),
      email: 'ada@example.com',
      password: '',
      password_confirm: '',
    });
    assert.equal(refused.status, 400);
    assert.equal(await service.deps.store.users.findByCanonicalEmail('ada@example.com'), undefined);
  });
});
