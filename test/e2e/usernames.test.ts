import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseUsername } from '../../src/kernel/username.ts';
import { outboxSettled, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, headersWithoutDate } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

describe('usernames (USERNAMES=optional)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ USERNAMES: 'optional', CONFIRM_EMAIL: 'off' });
  });
  after(() => service.close());

  it('normalises usernames with NFKC and case folding', () => {
    assert.deepEqual(parseUsername(' Ada_Lovelace '), { display: 'Ada_Lovelace', canonical: 'ada_lovelace' });
    assert.equal(parseUsername('ＡＤＡ')?.canonical, 'ada', 'full-width letters fold to ASCII');
    assert.equal(parseUsername('Straße')?.canonical, parseUsername('STRASSE')?.canonical);
    for (const bad of ['ab', 'a@b', '.ada', 'ada.', 'with space', 'x'.repeat(33), 'tab\tname'])
      assert.equal(parseUsername(bad), undefined, bad);
  });

  it('registers with a unique username and signs in with it or the email address', async () => {
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/register', { email: 'ada@example.com', password: PASSWORD, username: 'Ada_L' })).status, 202);
    await service.smtp.waitForMail('ada@example.com', { subject: /Welcome/ });
    // A taken username (compared NFKC, case-folded) is told only to the inbox; no account is made.
    const taken = await api.postJson('/api/register', { email: 'other@example.com', password: PASSWORD, username: 'ＡＤＡ_l' });
    assert.equal(taken.status, 202);
    await service.smtp.waitForMail('other@example.com', { subject: /^Choose another username$/ });
    assert.equal(await service.deps.store.users.findByCanonicalEmail('other@example.com'), undefined);
    const invalid = await api.postJson('/api/register', { email: 'other@example.com', password: PASSWORD, username: 'a@b' });
    assert.equal(invalid.json().error.code, 'USERNAME_INVALID');

    for (const body of [{ username: 'ada_l' }, { username: ' ADA_L ' }, { email: 'ada@example.com' }]) {
      const client = apiClient(service);
      const login = await client.postJson('/api/login', { ...body, password: PASSWORD });
      assert.equal(login.status, 200, JSON.stringify(body));
      assert.equal(login.json().user.username, 'Ada_L');
    }
    const both = await api.postJson('/api/login', { email: 'ada@example.com', username: 'ada_l', password: PASSWORD });
    assert.equal(both.status, 400);
    const wrong = await api.postJson('/api/login', { username: 'ada_l', password: 'wrong password' });
    const unknown = await api.postJson('/api/login', { username: 'nobody_here', password: 'wrong password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.text, unknown.text);

    const browser = new TestClient(service.url);
    const page = await browser.get('/login');
    assert.match(page.text, /<label for="email">Email address or username<\/label>/);
    const signedIn = await browser.postForm('/login', { _csrf: page.csrfToken(), email: 'Ada_L', password: PASSWORD });
    assert.equal(signedIn.status, 303);
    assert.match((await browser.get('/')).text, /<dt>Username<\/dt><dd>Ada_L<\/dd>/);
    const register = await new TestClient(service.url).get('/register');
    assert.match(register.text, /<label for="username">Username \(optional\)<\/label>/);
    assert.match(register.text, /id="username" name="username" type="text" autocomplete="username"/);
  });

  it('"forgot username" mails it to the stored address, with one answer for every address', async () => {
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/register', { email: 'plain@example.com', password: PASSWORD })).status, 202);
    const responses = [];
    for (const email of ['ADA@example.com', 'plain@example.com', 'nobody@example.com'])
      responses.push(await api.postJson('/api/username/forgot', { email }));
    for (const response of responses) {
      assert.equal(response.status, 202);
      assert.equal(response.text, responses[0]!.text);
      assert.deepEqual(headersWithoutDate(response), headersWithoutDate(responses[0]!));
    }
    const mail = await service.smtp.waitForMail('ada@example.com', { subject: /Your username/ });
    assert.match(mail.parsed.text ?? '', /It is: Ada_L/);
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo('plain@example.com').filter((m) => /username/i.test(m.parsed.subject ?? '')).length, 0);
    const page = await new TestClient(service.url).submitForm('/forgot-username', '/forgot-username', { email: 'ada@example.com' });
    assert.equal(page.status, 200);
    assert.match(page.text, /we have sent the username to it/);
  });
});

describe('USERNAMES=required and off', () => {
  it('required: registration without one is refused', async () => {
    const service = await startTestService({ USERNAMES: 'required' });
    try {
      const response = await apiClient(service).postJson('/api/register', { email: 'a@example.com', password: PASSWORD });
      assert.equal(response.json().error.code, 'USERNAME_REQUIRED');
      await registerUnconfirmed(service, 'a@example.com', PASSWORD, { username: 'alpha' });
    } finally {
      await service.close();
    }
  });

  it('off (the default): no username field, a username is refused, forgot-username does not exist', async () => {
    const service = await startTestService();
    try {
      const response = await apiClient(service).postJson('/api/register', {
        email: 'a@example.com',
        password: PASSWORD,
        username: 'alpha',
      });
      assert.equal(response.json().error.code, 'USERNAME_NOT_ALLOWED');
      assert.doesNotMatch((await new TestClient(service.url).get('/register')).text, /name="username"/);
      assert.equal((await apiClient(service).postJson('/api/username/forgot', { email: 'a@example.com' })).status, 404);
    } finally {
      await service.close();
    }
  });
});
