import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { registerUser, requestResetToken } from '../support/flows.ts';
import { assertFormAgain } from '../support/form-errors.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const LONG = 'x'.repeat(1100);

describe('forms answer bad input with the same form: every problem at its field, values kept', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_FORGOT_EMAIL: '100/3600', USERNAMES: 'optional', PASSWORDLESS: 'on' });
    await registerUser(service, EMAIL, PASSWORD, 'Ada');
  });
  after(() => service.close());

  async function signedIn(): Promise<TestClient> {
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/login')).csrfToken();
    assert.equal((await browser.postForm('/login', { _csrf: csrf, email: EMAIL, password: PASSWORD })).status, 303);
    return browser;
  }

  it('register: empty, malformed and mismatched fields all at once, typed values kept, passwords not', async () => {
    const browser = new TestClient(service.url);
    const empty = await browser.submitForm('/register', '/register', {
      name: 'Grace',
      username: 'grace',
      email: '',
      password: '',
      password_confirm: '',
    });
    assertFormAgain(empty, {
      status: 400,
      title: 'Create an account',
      fields: { email: /Enter your email address/, password: /Enter a password/, password_confirm: /Enter the password again/ },
      kept: { name: 'Grace', username: 'grace' },
    });
    assert.match(empty.text, /<a href="\/login">Sign in<\/a>/, 'the signed-out header');

    const malformed = await browser.submitForm('/register', '/register', {
      name: 'Grace',
      email: 'grace at example',
      password: 'secret passphrase one',
      password_confirm: 'secret passphrase two',
    });
    assertFormAgain(malformed, {
      status: 400,
      title: 'Create an account',
      fields: { email: /Enter a valid email address/, password_confirm: /do not match/ },
      kept: { name: 'Grace', email: 'grace at example' },
      secrets: ['secret passphrase one', 'secret passphrase two'],
    });

    const long = await browser.submitForm('/register', '/register', {
      name: 'G'.repeat(300),
      email: LONG,
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assertFormAgain(long, {
      status: 400,
      title: 'Create an account',
      fields: { name: /Your name must be at most 200 characters/, email: /Your email address must be at most 1024 characters/ },
      secrets: [PASSWORD],
    });

    const missing = await browser.submitForm('/register', '/register', { email: 'grace@example.com' });
    assertFormAgain(missing, {
      status: 400,
      title: 'Create an account',
      fields: { password: /Enter a password/, password_confirm: /Enter the password again/ },
      kept: { email: 'grace@example.com' },
    });

    const strange = await browser.submitForm('/register', '/register', {
      email: 'grace@example.com',
      password: PASSWORD,
      password_confirm: PASSWORD,
      admin: 'yes',
    });
    assertFormAgain(strange, {
      status: 400,
      title: 'Create an account',
      form: /does not have \(admin\)/,
      kept: { email: 'grace@example.com' },
    });
  });

  it('register: a flow problem (a password too short) is tied to the password field', async () => {
    const response = await new TestClient(service.url).submitForm('/register', '/register', {
      email: 'lin@example.com',
      password: 'short',
      password_confirm: 'short',
    });
    assertFormAgain(response, {
      status: 400,
      title: 'Create an account',
      fields: { password: /at least/ },
      kept: { email: 'lin@example.com' },
    });
  });

  it('an expired or missing CSRF token: 403 with the form renewed, a message and the values kept', async () => {
    const browser = new TestClient(service.url);
    await browser.get('/register');
    const stale = await browser.postForm('/register', {
      _csrf: 'x'.repeat(43),
      name: 'Grace',
      email: 'grace@example.com',
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assertFormAgain(stale, {
      status: 403,
      title: 'Create an account',
      form: /form expired/,
      kept: { name: 'Grace', email: 'grace@example.com' },
      secrets: [PASSWORD],
    });
    // The renewed token works: submitting again goes through.
    const again = await browser.postForm('/register', {
      _csrf: stale.csrfToken(),
      name: 'Grace',
      email: 'grace@example.com',
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assert.equal(again.status, 303);

    const cookieless = new TestClient(service.url);
    const none = await cookieless.postForm('/login', { email: EMAIL, password: PASSWORD });
    assertFormAgain(none, { status: 403, title: 'Sign in', form: /form expired/, kept: { email: EMAIL }, secrets: [PASSWORD] });
    assert.equal((await cookieless.postForm('/login', { _csrf: none.csrfToken(), email: EMAIL, password: PASSWORD })).status, 303);
  });

  it('sign in: empty fields at their fields; wrong credentials on the form, the address kept', async () => {
    const browser = new TestClient(service.url);
    assertFormAgain(await browser.submitForm('/login', '/login', { email: '', password: '' }), {
      status: 400,
      title: 'Sign in',
      fields: { email: /Enter your email address or username/, password: /Enter your password/ },
    });
    const wrong = await browser.submitForm('/login', '/login', { email: EMAIL, password: 'not the password' });
    assertFormAgain(wrong, { status: 401, title: 'Sign in', form: /./, kept: { email: EMAIL }, secrets: ['not the password'] });
  });

  it('forgot password: empty, malformed and too long addresses', async () => {
    const browser = new TestClient(service.url);
    for (const [email, message] of [
      ['', /Enter your email address/],
      ['not-an-address', /Enter a valid email address/],
      [LONG, /at most 1024 characters/],
    ] as const) {
      const response = await browser.submitForm('/forgot-password', '/forgot-password', { email });
      assertFormAgain(response, {
        status: 400,
        title: 'Reset your password',
        fields: { email: message },
        ...(email === LONG ? {} : { kept: { email } }),
      });
    }
  });

  it('reset password: empty and mismatched passwords at their fields, nothing echoed', async () => {
    const browser = new TestClient(service.url);
    assert.equal((await browser.get(`/reset-password/${await requestResetToken(service, EMAIL)}`)).status, 303);
    assertFormAgain(await browser.submitForm('/reset-password', '/reset-password', { password: '', password_confirm: '' }), {
      status: 400,
      title: 'Choose a new password',
      fields: { password: /Enter a new password/, password_confirm: /Enter the new password again/ },
    });
    assertFormAgain(
      await browser.submitForm('/reset-password', '/reset-password', {
        password: 'one long passphrase',
        password_confirm: 'two long passphrase',
      }),
      {
        status: 400,
        title: 'Choose a new password',
        fields: { password_confirm: /do not match/ },
        secrets: ['one long passphrase', 'two long passphrase'],
      },
    );
  });

  it('change email and change password: problems at their fields with the signed-in header', async () => {
    const browser = await signedIn();
    const email = await browser.submitForm('/account/email', '/account/email', { email: 'ada at new', password: '' });
    assertFormAgain(email, {
      status: 400,
      title: 'Change your email address',
      fields: { email: /Enter a valid email address/ },
      kept: { email: 'ada at new' },
    });
    assert.match(email.text, /<span class="who">Ada<\/span>/, 'the signed-in header');
    assert.match(email.text, /Sign out<\/button>/);

    const wrong = await browser.submitForm('/account/email', '/account/email', { email: 'ada@new.example', password: 'wrong password' });
    assert.equal(wrong.text.includes('wrong password'), false);
    assert.match(wrong.text, /<title>Error: Change your email address/);

    const password = await browser.submitForm('/account/password', '/account/password', {
      username: EMAIL,
      current_password: '',
      new_password: 'a new passphrase here',
      new_password_confirm: 'another passphrase',
    });
    assertFormAgain(password, {
      status: 400,
      title: 'Change your password',
      fields: { current_password: /Enter your current password/, new_password_confirm: /do not match/ },
      secrets: ['a new passphrase here', 'another passphrase'],
    });
    assert.match(password.text, /<span class="who">Ada<\/span>/);
    assert.match(
      password.text,
      /<input type="text" name="username" autocomplete="username" value="ada@example.com" hidden>/,
      'the username for password managers, hidden',
    );
  });

  it('sign-in by email and reset by code: the same form again, the code never echoed', async () => {
    const browser = new TestClient(service.url);
    assertFormAgain(await browser.submitForm('/login/email', '/login/email', { email: '' }), {
      status: 400,
      title: 'Sign in by email',
      fields: { email: /Enter your email address/ },
    });
    assertFormAgain(await browser.submitForm('/login/email/code', '/login/email/code', { email: EMAIL, code: '' }), {
      status: 400,
      title: 'Check your inbox',
      fields: { code: /Enter the code from the mail/ },
      kept: { email: EMAIL },
    });
    const code = await browser.submitForm('/reset/code', '/reset/code', {
      email: EMAIL,
      code: '12345678',
      password: 'one long passphrase',
      password_confirm: 'two long passphrase',
    });
    assertFormAgain(code, {
      status: 400,
      title: 'Enter your reset code',
      fields: { password_confirm: /do not match/ },
      kept: { email: EMAIL },
      secrets: ['12345678', 'one long passphrase'],
    });
  });

  it('a signed-out post to a signed-in form with bad input goes to sign in, not to a page', async () => {
    const browser = new TestClient(service.url);
    const response = await browser.submitForm('/login', '/account/email', { email: '' });
    assert.equal(response.status, 303);
    assert.match(response.location ?? '', /^\/login/);
  });

  it('the JSON API keeps its answers', async () => {
    const api = new TestClient(service.url, { origin: service.config.publicUrl.origin });
    const response = await api.postJson('/api/register', { email: '', password: PASSWORD });
    assert.equal(response.status, 400);
    assert.equal(response.json().error.code, 'VALIDATION_FAILED');
  });
});
