import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { followLinkAndPress, linkIn, outboxSettled, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, requestResetToken, setCookieLine, signedInClient, tokenOf } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

describe('email confirmation, CONFIRM_EMAIL=required (the default)', () => {
  let service: TestService;
  let token = '';
  before(async () => {
    service = await startTestService();
    token = await registerUnconfirmed(service, 'ada@example.com', PASSWORD);
  });
  after(() => service.close());

  it('mails a 2-day link built from PUBLIC_URL', async () => {
    const mail = service.smtp.mailsTo('ada@example.com')[0]!;
    assert.match(mail.parsed.subject ?? '', /Welcome to Latchkey: confirm your email address/);
    assert.ok(linkIn(mail, '/confirm-email/').startsWith(`${service.config.publicUrl.origin}/confirm-email/`));
    assert.match(mail.parsed.text ?? '', /expires in 2 days/);
  });

  it('refuses sign-in before confirming, saying so only after the right password', async () => {
    const api = apiClient(service);
    const wrong = await api.postJson('/api/login', { email: 'ada@example.com', password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json().error.code, 'INVALID_CREDENTIALS');
    const right = await api.postJson('/api/login', { email: 'ada@example.com', password: PASSWORD });
    assert.equal(right.status, 403);
    assert.equal(right.json().error.code, 'EMAIL_NOT_CONFIRMED');
    assert.equal(api.cookies.size, 0, 'no session');

    const browser = new TestClient(service.url);
    const page = await browser.submitForm('/login', '/login', { email: 'ada@example.com', password: PASSWORD });
    assert.equal(page.status, 403);
    assert.match(page.text, /Confirm your email address before signing in/);
    assert.match(
      page.text,
      /<form method="post" action="\/confirm\/resend"><input type="hidden" name="_csrf" value="[^"]+"><input type="hidden" name="email" value="ada@example.com"><button type="submit">Send a new confirmation link<\/button>/,
    );
    const wrongPage = await browser.submitForm('/login', '/login', { email: 'ada@example.com', password: 'not the password' });
    assert.equal(wrongPage.status, 401);
    assert.doesNotMatch(wrongPage.text, /before signing in|Send a new confirmation link/);
  });

  it('opening the link changes nothing: the token moves to a cookie and the page shows a Confirm button', async () => {
    const browser = new TestClient(service.url);
    const opened = await browser.get(`/confirm-email/${token}`);
    assert.equal(opened.status, 303);
    assert.equal(opened.location, '/confirm-email');
    assert.match(setCookieLine(opened, 'lk_confirm') ?? '', /Path=\/confirm-email;.*HttpOnly;.*SameSite=Lax/);
    const landing = await browser.get('/confirm-email');
    assert.equal(landing.status, 200);
    assert.ok(!landing.text.includes(token));
    assert.match(landing.text, /<form method="post" action="\/confirm-email">.*<button type="submit">Confirm<\/button><\/form>/s);
    const still = await apiClient(service).postJson('/api/login', { email: 'ada@example.com', password: PASSWORD });
    assert.equal(still.json().error.code, 'EMAIL_NOT_CONFIRMED', 'GET confirmed nothing');

    const noCsrf = await browser.postForm('/confirm-email', {});
    assert.equal(noCsrf.status, 403, 'CSRF_FAILED');
    const confirmed = await browser.postForm('/confirm-email', { _csrf: landing.csrfToken() });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.location, '/login?notice=email-confirmed');
    assert.match((await browser.get('/login?notice=email-confirmed')).text, /Your email address is confirmed/);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'ada@example.com', password: PASSWORD })).status, 200);
  });

  it('refuses a used, a tampered and a wrong-purpose token', async () => {
    const api = apiClient(service);
    const reused = await api.postJson('/api/confirm', { token });
    assert.equal(reused.status, 400);
    assert.equal(reused.json().error.code, 'TOKEN_USED');
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    assert.equal((await api.postJson('/api/confirm', { token: tampered })).json().error.code, 'TOKEN_INVALID');
    const page = await new TestClient(service.url).get(`/confirm-email/${tampered}`);
    assert.equal(page.status, 400);
    assert.match(page.text, /This link is not valid/);
    assert.match(page.text, /href="\/confirm\/resend"/);
    const resetToken = await requestResetToken(service, 'ada@example.com');
    assert.equal(
      (await api.postJson('/api/confirm', { token: resetToken })).json().error.code,
      'TOKEN_INVALID',
      'a reset token confirms nothing',
    );
    assert.equal(
      (await api.postJson('/api/password/reset', { token: tampered, password: 'x new passphrase' })).json().error.code,
      'TOKEN_INVALID',
    );
  });

  it('resends a link only to an unconfirmed account, answering the same for every address', async () => {
    const newToken = await registerUnconfirmed(service, 'bob@example.com', PASSWORD);
    const api = apiClient(service);
    const answers = [];
    for (const email of ['bob@example.com', 'ada@example.com', 'nobody@example.com'])
      answers.push(await api.postJson('/api/confirm/resend', { email }));
    for (const answer of answers) {
      assert.equal(answer.status, 202);
      assert.equal(answer.text, answers[0]!.text);
    }
    const mail = await service.smtp.waitForMail('bob@example.com', { subject: /^Confirm your email address$/ });
    const resent = tokenOf(linkIn(mail, '/confirm-email/'));
    assert.notEqual(resent, newToken);
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo('ada@example.com').filter((m) => /Confirm your email/.test(m.parsed.subject ?? '')).length, 0);
    assert.equal(service.smtp.mailsTo('nobody@example.com').length, 0);
    assert.equal((await api.postJson('/api/confirm/resend', { email: 'not-an-address' })).json().error.code, 'EMAIL_INVALID');

    const browser = new TestClient(service.url);
    const sent = await browser.submitForm('/confirm/resend', '/confirm/resend', { email: 'bob@example.com' });
    assert.equal(sent.status, 303);
    assert.match(
      (await browser.get(sent.location as string)).text,
      /<strong>bob@example.com<\/strong>, we have sent it a new confirmation link/,
    );
    assert.equal((await api.postJson('/api/confirm', { token: resent })).status, 200);
    assert.equal((await api.postJson('/api/login', { email: 'bob@example.com', password: PASSWORD })).status, 200);
  });

  it('a completed password reset confirms the address too', async () => {
    await registerUnconfirmed(service, 'carol@example.com', PASSWORD);
    const resetToken = await requestResetToken(service, 'carol@example.com');
    assert.equal(
      (await apiClient(service).postJson('/api/password/reset', { token: resetToken, password: 'a brand new passphrase' })).status,
      200,
    );
    assert.equal(
      (await apiClient(service).postJson('/api/login', { email: 'carol@example.com', password: 'a brand new passphrase' })).status,
      200,
    );
  });
});

describe('email confirmation links expire after CONFIRM_TOKEN_TTL (2 days)', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  before(async () => {
    service = await startTestService({}, { clock });
  });
  after(() => service.close());

  it('works until the last second, then answers TOKEN_EXPIRED', async () => {
    const first = await registerUnconfirmed(service, 'early@example.com', PASSWORD);
    const second = await registerUnconfirmed(service, 'late@example.com', PASSWORD);
    clock.advanceSeconds(2 * 86_400 - 1);
    assert.equal((await apiClient(service).postJson('/api/confirm', { token: first })).status, 200);
    clock.advanceSeconds(1);
    const expired = await apiClient(service).postJson('/api/confirm', { token: second });
    assert.equal(expired.status, 400);
    assert.equal(expired.json().error.code, 'TOKEN_EXPIRED');
    const page = await new TestClient(service.url).get(`/confirm-email/${second}`);
    assert.match(page.text, /This link has expired/);
  });
});

describe('CONFIRM_EMAIL=optional and off', () => {
  it('optional: a link is sent, sign-in works before confirming, the account page says not confirmed', async () => {
    const service = await startTestService({ CONFIRM_EMAIL: 'optional' });
    try {
      const token = await registerUnconfirmed(service, 'opt@example.com', PASSWORD);
      const client = await signedInClient(service, 'opt@example.com', PASSWORD);
      assert.match((await client.get('/')).text, /not confirmed yet/);
      assert.equal((await client.get('/api/account')).json().account.emailConfirmed, false);
      // Confirming ends every session of the account (see the security tests): the owner signs in again.
      const { pressed } = await followLinkAndPress(client, `${service.url}/confirm-email/${token}`);
      assert.equal(pressed.location, '/login?notice=email-confirmed');
      assert.equal((await client.get('/api/account')).status, 401);
      const again = await signedInClient(service, 'opt@example.com', PASSWORD);
      assert.equal((await again.get('/api/account')).json().account.emailConfirmed, true);
    } finally {
      await service.close();
    }
  });

  it('off: a plain welcome mail, sign-in at once, no confirmation routes', async () => {
    const service = await startTestService({ CONFIRM_EMAIL: 'off' });
    try {
      assert.equal((await apiClient(service).postJson('/api/register', { email: 'off@example.com', password: PASSWORD })).status, 202);
      const welcome = await service.smtp.waitForMail('off@example.com', { subject: /^Welcome to Latchkey$/ });
      assert.doesNotMatch(welcome.parsed.text ?? '', /confirm-email/);
      await signedInClient(service, 'off@example.com', PASSWORD);
      assert.equal((await apiClient(service).postJson('/api/confirm/resend', { email: 'off@example.com' })).status, 404);
    } finally {
      await service.close();
    }
  });
});
