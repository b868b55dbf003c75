import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { linkIn, outboxSettled } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

describe('"check your inbox" after the forms that send mail, reached by a redirect', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_FORGOT_EMAIL: '100/3600' });
    await registerUser(service, 'ada@example.com', PASSWORD);
  });
  after(() => service.close());

  it('register: 303 to a page naming the address; a reload sends nothing again', async () => {
    const browser = new TestClient(service.url);
    const sent = await browser.submitForm('/register', '/register', {
      email: 'grace@example.com',
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assert.equal(sent.status, 303);
    assert.equal(sent.location, '/check-inbox', 'the address is not in the URL');
    const cookie = setCookieLine(sent, 'lk_inbox') ?? '';
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /Path=\/check-inbox/);
    assert.match(cookie, /Max-Age=900/);
    assert.ok(!cookie.includes('grace'), 'the address is sealed, not readable in the cookie');
    await service.smtp.waitForMail('grace@example.com', { subject: /Welcome/ });

    const page = await browser.get('/check-inbox');
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>Check your inbox to confirm your address · Latchkey<\/title>/);
    assert.match(page.text, /We have sent a message to <strong>grace@example.com<\/strong>/);
    assert.match(page.text, /follow the link to confirm your address/);
    assert.match(
      page.text,
      /<form method="post" action="\/confirm\/resend">[\s\S]*?name="email" value="grace@example.com"[\s\S]*?Send the confirmation link again/,
    );
    const reload = await browser.get('/check-inbox');
    assert.equal(
      reload.text.replace(/value="[^"]{40,}"/g, ''),
      page.text.replace(/value="[^"]{40,}"/g, ''),
      'a reload shows the same page',
    );
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo('grace@example.com').length, 1, 'and sends nothing');

    // Send again, from the page: back to the page, a new link mailed.
    const again = await browser.postForm('/confirm/resend', { _csrf: page.csrfToken(), email: 'grace@example.com' });
    assert.equal(again.status, 303);
    assert.equal(again.location, '/check-inbox');
    assert.match(
      (await browser.get('/check-inbox')).text,
      /If an account with an unconfirmed address uses <strong>grace@example.com<\/strong>, we have sent it a new confirmation link/,
    );
    await service.smtp.waitForMail('grace@example.com', { subject: /^Confirm your email address$/ });
  });

  it('forgot password: 303 to a page naming the address, the lifetime and a way to send again', async () => {
    const browser = new TestClient(service.url);
    const sent = await browser.submitForm('/forgot-password', '/forgot-password', { email: 'ada@example.com' });
    assert.equal(sent.status, 303);
    assert.equal(sent.location, '/check-inbox');
    const page = await browser.get('/check-inbox');
    assert.match(page.text, /If an account uses <strong>ada@example.com<\/strong>, we have sent it a link to choose a new password/);
    assert.match(page.text, /within 1 hour/);
    assert.match(
      page.text,
      /<form method="post" action="\/forgot-password">[\s\S]*?name="email" value="ada@example.com"[\s\S]*?Send the link again/,
    );
    await service.smtp.waitForMail('ada@example.com', { subject: /Reset your password/ });
    const again = await browser.postForm('/forgot-password', { _csrf: page.csrfToken(), email: 'ada@example.com', method: 'link' });
    assert.equal(again.location, '/check-inbox');
    await service.smtp.waitForMail('ada@example.com', { subject: /Reset your password/ });
  });

  it('without the cookie, or with a forged or altered one, the page names no address', async () => {
    const browser = new TestClient(service.url);
    const sent = await browser.submitForm('/forgot-password', '/forgot-password', { email: 'ada@example.com' });
    const sealed = browser.cookies.get('lk_inbox') as string;
    for (const cookie of [undefined, 'v1.x.y.z.w', `${sealed.slice(0, -4)}AAAA`]) {
      const other = new TestClient(service.url);
      if (cookie) other.cookies.set('lk_inbox', cookie);
      const page = await other.get(sent.location as string);
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes('ada@example.com'), String(cookie));
      assert.match(page.text, /Open the message we sent you/);
    }
  });

  it('the confirmation link page says which address it confirms', async () => {
    await apiClient(service).postJson('/api/register', { email: 'lin@example.com', password: PASSWORD });
    const mail = await service.smtp.waitForMail('lin@example.com', { subject: /Welcome/ });
    const browser = new TestClient(service.url);
    const opened = await browser.get(new URL(linkIn(mail, '/confirm-email/')).pathname);
    const page = await browser.get(opened.location as string);
    assert.match(page.text, /This link confirms <strong>lin@example.com<\/strong> as the email address of your account/);
  });
});

describe('"check your inbox" with CONFIRM_EMAIL=off', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ CONFIRM_EMAIL: 'off' });
  });
  after(() => service.close());

  it('does not speak of confirming', async () => {
    const browser = new TestClient(service.url);
    const sent = await browser.submitForm('/register', '/register', {
      email: 'grace@example.com',
      password: PASSWORD,
      password_confirm: PASSWORD,
    });
    assert.equal(sent.status, 303);
    const page = await browser.get('/check-inbox');
    assert.match(page.text, /We have sent a message to <strong>grace@example.com<\/strong>/);
    assert.match(page.text, /It tells you how to sign in/);
    assert.doesNotMatch(page.text, /confirm/i);
  });
});
