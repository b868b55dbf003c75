import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';
const APP = 'https://app.example.com';
const TARGET = `${APP}/reports?id=7&tab=2`;
const q = encodeURIComponent;

const formAction = (page: string) => (/<form method="post" action="([^"]+)"/.exec(page)?.[1] ?? '').replaceAll('&amp;', '&');

describe('return_to survives the flows (S11)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RETURN_TO_ALLOWED: APP });
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  it('login: carried by the form, kept after a wrong password, followed after signing in', async () => {
    const browser = new TestClient(service.url);
    const page = await browser.get(`/login?return_to=${q(TARGET)}`);
    assert.equal(formAction(page.text), `/login?return_to=${q(TARGET)}`);
    assert.match(page.text, new RegExp(`href="/register\\?return_to=${q(TARGET)}"`));
    const wrong = await browser.postForm(formAction(page.text), { _csrf: page.csrfToken(), email: EMAIL, password: 'wrong password' });
    assert.equal(wrong.status, 401);
    assert.equal(formAction(wrong.text), `/login?return_to=${q(TARGET)}`);
    const ok = await browser.postForm(formAction(wrong.text), { _csrf: wrong.csrfToken(), email: EMAIL, password: PASSWORD });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, TARGET);
  });

  it('login: next is an alias; anything not allowed is ignored for the default', async () => {
    const signIn = async (query: string) =>
      (await new TestClient(service.url).submitForm('/login', `/login?${query}`, { email: EMAIL, password: PASSWORD })).location;
    assert.equal(await signIn(`next=${q('/oidc/interaction/abc')}`), '/oidc/interaction/abc');
    for (const bad of [
      '//evil.example',
      '/.//evil.example',
      'https://evil.example/',
      `${APP}.evil.example/`,
      `${APP}@evil.example`,
      'javascript:alert(1)',
    ]) {
      assert.equal(await signIn(`return_to=${q(bad)}`), '/', bad);
      assert.equal(await signIn(`next=${q(bad)}`), '/', bad);
    }
  });

  it('registration: the form, the confirmation mail and its page carry it through to the sign-in', async () => {
    const email = 'grace@example.com';
    const browser = new TestClient(service.url);
    const page = await browser.get(`/register?return_to=${q(TARGET)}`);
    assert.equal(formAction(page.text), `/register?return_to=${q(TARGET)}`);
    const sent = await browser.postForm(formAction(page.text), {
      _csrf: page.csrfToken(),
      email,
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assert.equal(sent.status, 303);
    assert.equal(sent.location, '/check-inbox', 'return_to rides in the sealed cookie, not the URL');
    const inbox = await browser.get(sent.location as string);
    assert.match(inbox.text, new RegExp(`href="/login\\?return_to=${q(TARGET)}"`));
    const mail = await service.smtp.waitForMail(email, { subject: /Welcome/ });
    const link = /https?:\/\/\S+\/confirm-email\/[A-Za-z0-9_-]+\?return_to=\S+/.exec(mail.parsed.text ?? '')?.[0];
    assert.ok(link, 'the confirmation link carries return_to');
    const opened = await browser.get(new URL(link).pathname + new URL(link).search);
    assert.equal(opened.location, `/confirm-email?return_to=${q(TARGET)}`);
    const landing = await browser.get(opened.location as string);
    const confirmed = await browser.postForm(formAction(landing.text), { _csrf: landing.csrfToken() });
    assert.equal(confirmed.location, `/login?notice=email-confirmed&return_to=${q(TARGET)}`);
    const login = await browser.get(confirmed.location as string);
    const signedIn = await browser.postForm(formAction(login.text), { _csrf: login.csrfToken(), email, password: PASSWORD });
    assert.equal(signedIn.location, TARGET);
  });

  it('logout: GET /logout offers the button, POST follows return_to', async () => {
    const browser = new TestClient(service.url);
    await browser.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    const page = await browser.get(`/logout?return_to=${q(TARGET)}`);
    assert.equal(page.status, 200);
    assert.equal(formAction(page.text), `/logout?return_to=${q(TARGET)}`);
    const out = await browser.postForm(formAction(page.text), { _csrf: page.csrfToken() });
    assert.equal(out.location, TARGET);
    assert.equal((await browser.get('/api/session')).status, 401);
    assert.equal((await browser.get(`/logout?return_to=${q(TARGET)}`)).location, TARGET, 'signed out already: straight on');
    // Signing out replaced the CSRF cookie: the next form post needs a token from a page served after it.
    const fresh = await browser.get('/login');
    const evil = await browser.postForm('/logout?return_to=https%3A%2F%2Fevil.example', { _csrf: fresh.csrfToken() });
    assert.equal(evil.location, '/login?notice=signed-out');
  });
});

describe('return_to survives the password reset (S11)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RETURN_TO_ALLOWED: APP });
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  it('the forgot form, the mailed link and the reset form carry it to the sign-in', async () => {
    const browser = new TestClient(service.url);
    const page = await browser.get(`/forgot-password?return_to=${q(TARGET)}`);
    assert.equal(formAction(page.text), `/forgot-password?return_to=${q(TARGET)}`);
    const sent = await browser.postForm(formAction(page.text), { _csrf: page.csrfToken(), email: EMAIL });
    assert.equal(sent.status, 303);
    const inbox = await browser.get(sent.location as string);
    assert.match(inbox.text, new RegExp(`action="/forgot-password\\?return_to=${q(TARGET)}"`), 'sending again keeps it');
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
    const link = /https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]+\?return_to=\S+/.exec(mail.parsed.text ?? '')?.[0];
    assert.ok(link, 'the reset link carries return_to');
    const opened = await browser.get(new URL(link).pathname + new URL(link).search);
    assert.equal(opened.location, `/reset-password?return_to=${q(TARGET)}`);
    const form = await browser.get(opened.location as string);
    const newPassword = 'a brand new passphrase 42';
    const done = await browser.postForm(formAction(form.text), {
      _csrf: form.csrfToken(),
      password: newPassword,
      password_confirm: newPassword,
    });
    assert.equal(done.location, `/login?notice=password-reset&return_to=${q(TARGET)}`);
    const login = await browser.get(done.location as string);
    const signedIn = await browser.postForm(formAction(login.text), { _csrf: login.csrfToken(), email: EMAIL, password: newPassword });
    assert.equal(signedIn.location, TARGET);
  });
});
