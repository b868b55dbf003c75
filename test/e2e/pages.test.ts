import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser, requestResetToken } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

interface Input {
  name: string;
  type: string;
  autocomplete: string | undefined;
  id: string | undefined;
}

function inputsOf(page: TestResponse): Input[] {
  return [...page.text.matchAll(/<input\s([^>]*)>/g)].map((m) => {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1] as string)?.[1];
    return { name: attr('name') ?? '', type: attr('type') ?? 'text', autocomplete: attr('autocomplete'), id: attr('id') };
  });
}

/** Every visible input has a <label for>, the expected autocomplete, and the form a CSRF field. */
function assertForm(page: TestResponse, action: string, expected: Record<string, string>): void {
  assert.equal(page.status, 200, page.text.slice(0, 300));
  assert.match(page.text, new RegExp(`<form method="post" action="${action.replace('?', '\\?')}"`));
  const inputs = inputsOf(page);
  assert.ok(
    inputs.some((i) => i.name === '_csrf' && i.type === 'hidden'),
    'CSRF field',
  );
  // Radio buttons are labelled by the <label> around them (checked by the tests that have some).
  const visible = inputs.filter((i) => i.type !== 'hidden' && i.type !== 'radio');
  assert.deepEqual(Object.fromEntries(visible.map((i) => [i.name, i.autocomplete])), expected);
  for (const input of visible) {
    assert.equal(input.id, input.name);
    assert.match(page.text, new RegExp(`<label for="${input.id}">[^<]+</label>`), `label for ${input.name}`);
  }
}

/** The only scripts a page may load: our two passkey files, same origin, deferred (pages that offer passkeys). */
const PASSKEY_SCRIPT_TAGS = [
  '<script src="/assets/simplewebauthn-browser.js" defer></script>',
  '<script src="/assets/passkeys.js" defer></script>',
];

const PASSWORD_TOGGLE_TAG = '<script src="/assets/password-toggle.js" defer></script>';

function assertPageShell(page: TestResponse, o: { passkeyScripts?: boolean } = {}): void {
  assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
  assert.match(page.text, /^<!doctype html>\n<html lang="en" dir="ltr">/);
  assert.match(page.text, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.match(page.text, /<link rel="stylesheet" href="\/assets\/style.css">/);
  // The "show password" script: any page with a password field may load it, and nothing else.
  let text = page.text.replace(`${PASSWORD_TOGGLE_TAG}\n`, '');
  if (o.passkeyScripts) {
    for (const tag of PASSKEY_SCRIPT_TAGS) {
      assert.ok(text.includes(`${tag}\n</head>`) || text.includes(`${tag}\n<script`), `in the head: ${tag}`);
      text = text.replace(tag, '');
    }
  }
  assert.doesNotMatch(text, /<script|\sstyle="|\son[a-z]+="/i, 'no other script, no inline style or handlers');
}

describe('HTML pages', () => {
  let service: TestService;
  before(async () => {
    // Both providers set: neither dev box is in use (the webhook is never called here).
    service = await startTestService({ SMS_URL: 'https://sms.invalid/send' });
    await registerUser(service, EMAIL, PASSWORD, 'Ada <b>Lovelace</b>');
  });
  after(() => service.close());

  it('the start page links to sign-in and registration when signed out', async () => {
    const page = await new TestClient(service.url).get('/');
    assert.equal(page.status, 200);
    assertPageShell(page);
    assert.match(page.text, /href="\/login"/);
    assert.match(page.text, /href="\/register"/);
  });

  it('/login has email (username) and current-password fields; the passkey button is hidden until the script shows it', async () => {
    const page = await new TestClient(service.url).get('/login');
    assertPageShell(page, { passkeyScripts: true });
    // `webauthn` lets the browser offer passkeys in the field's autofill (conditional UI).
    assertForm(page, '/login', { email: 'username webauthn', password: 'current-password', remember: 'off' });
    assert.match(
      page.text,
      /<button type="button" class="secondary" data-passkey-login data-return-to="\/" hidden>Sign in with a passkey<\/button>/,
    );
    assert.match(page.text, /href="\/forgot-password"/);
  });

  it('/login shows only the fixed notices a query can name', async () => {
    const browser = new TestClient(service.url);
    assert.match(
      (await browser.get('/login?notice=signed-out')).text,
      /<p class="notice info" role="status">You have been signed out.<\/p>/,
    );
    for (const notice of ['constructor', '__proto__', 'toString', '<script>alert(1)</script>', 'unknown']) {
      const page = await browser.get(`/login?notice=${encodeURIComponent(notice)}`);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /class="notice/, notice);
    }
  });

  it('/register has name, email and two new-password fields', async () => {
    const page = await new TestClient(service.url).get('/register');
    assertPageShell(page);
    assertForm(page, '/register', { name: 'name', email: 'email', password: 'new-password', password_confirm: 'new-password' });
    assert.match(page.text, /minlength="8"/);
    assert.match(page.text, /maxlength="128"/);
  });

  it('/forgot-password has one email field and a choice of link or code (RECOVERY_METHODS=link,code)', async () => {
    const page = await new TestClient(service.url).get('/forgot-password');
    assertPageShell(page);
    assertForm(page, '/forgot-password', { email: 'email' });
    assert.match(page.text, /<label><input type="radio" name="method" value="link" checked> A link by email<\/label>/);
    assert.match(page.text, /<label><input type="radio" name="method" value="code"> A code by email<\/label>/);
    assert.doesNotMatch(page.text, /value="sms"/, 'no SMS without an SMS channel');
  });

  it('/reset/code asks for the address (prefilled), the code and the new password on one page, with the rules', async () => {
    const page = await new TestClient(service.url).get(`/reset/code?email=${encodeURIComponent(EMAIL)}`);
    assertPageShell(page);
    assertForm(page, '/reset/code', {
      email: 'email',
      code: 'one-time-code',
      password: 'new-password',
      password_confirm: 'new-password',
    });
    assert.match(page.text, new RegExp(`id="email" name="email" type="email" autocomplete="email" value="${EMAIL}"`));
    assert.match(page.text, /<input id="code" name="code" type="text" autocomplete="one-time-code" inputmode="numeric"/);
    assert.match(page.text, /8 to 128 characters/);
    assert.match(page.text, /If an account uses that address, we have sent it a code of 8 digits/);
  });

  it("sign-in by email: /login/email, /login/email/code and the mailed link's page, without JavaScript", async () => {
    const browser = new TestClient(service.url);
    const ask = await browser.get('/login/email');
    assertPageShell(ask);
    assertForm(ask, '/login/email', { email: 'email' });
    const inbox = await browser.get(`/login/email/code?email=${encodeURIComponent(EMAIL)}`);
    assertPageShell(inbox);
    assertForm(inbox, '/login/email/code', { email: 'email', code: 'one-time-code', remember: 'off' });
    assert.match(inbox.text, /<input id="code" name="code" type="text" autocomplete="one-time-code" inputmode="numeric"/);
    const asked = await browser.postForm('/login/email', { _csrf: ask.csrfToken(), email: EMAIL });
    assert.equal(asked.status, 303);
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /^Sign in to/ });
    const token = /\/login\/link\/([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '')?.[1];
    assert.equal((await browser.get(`/login/link/${token}`)).status, 303);
    const landing = await browser.get('/login/link');
    assertPageShell(landing);
    assertForm(landing, '/login/link', { remember: 'off' });
  });

  it('/reset-password (after the link) has two new-password fields', async () => {
    const browser = new TestClient(service.url);
    await browser.get(`/reset-password/${await requestResetToken(service, EMAIL)}`);
    const page = await browser.get('/reset-password');
    assertPageShell(page);
    assertForm(page, '/reset-password', { password: 'new-password', password_confirm: 'new-password' });
  });

  it('the signed-in start page shows the account, escaped, and a logout form', async () => {
    const browser = new TestClient(service.url);
    await browser.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    const page = await browser.get('/');
    assertPageShell(page);
    assert.match(page.text, /<h1>Your account<\/h1>/);
    assert.match(page.text, /Ada &lt;b&gt;Lovelace&lt;\/b&gt;/);
    assert.doesNotMatch(page.text, /<b>Lovelace<\/b>/);
    assert.match(page.text, /<form method="post" action="\/logout"[^>]*><input type="hidden" name="_csrf"/);
  });

  it('serves the one local stylesheet, and a 404 page for anything else', async () => {
    const css = await new TestClient(service.url).get('/assets/style.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.ok(css.text.length > 100);
    const missing = await new TestClient(service.url).get('/no-such-page');
    assert.equal(missing.status, 404);
    assertPageShell(missing);
    assert.match(missing.text, /There is nothing at this address/);
    const api = await new TestClient(service.url).get('/api/nothing');
    assert.deepEqual(api.json(), { error: { code: 'NOT_FOUND', message: 'There is nothing at this address.' } });
  });

  it('has no dev mailbox when SMTP and SMS are configured', async () => {
    assert.equal((await new TestClient(service.url).get('/dev/mailbox')).status, 404);
  });
});
