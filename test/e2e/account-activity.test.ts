import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser } from '../support/flows.ts';

const ADA = 'ada@example.com';
const BOB = 'bob@example.com';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const CURL = 'curl/8.5.0';

interface Item {
  type: string;
  label: string;
  time: string;
  ip: string | null;
  browser: string;
}

describe('recent security activity: /account/activity and GET /api/account/activity', () => {
  let service: TestService;
  let ada: TestClient;
  let bob: TestClient;
  const events = async (client: TestClient) => {
    const response = await client.get('/api/account/activity');
    assert.equal(response.status, 200, response.text);
    return (response.json() as { events: Item[] }).events;
  };

  before(async () => {
    service = await startTestService();
    await registerUser(service, ADA, PASSWORD, 'Ada');
    await registerUser(service, BOB, PASSWORD, 'Bob');
    const failed = await apiClient(service, { 'user-agent': FIREFOX }).postJson('/api/login', { email: ADA, password: 'not her password' });
    assert.equal(failed.status, 401);
    ada = apiClient(service, { 'user-agent': FIREFOX });
    assert.equal((await ada.postJson('/api/login', { email: ADA, password: PASSWORD })).status, 200);
    const changed = await ada.postJson('/api/password/change', { current_password: PASSWORD, new_password: NEW_PASSWORD });
    assert.equal(changed.status, 200, changed.text);
    bob = apiClient(service, { 'user-agent': CURL });
    assert.equal((await bob.postJson('/api/login', { email: BOB, password: PASSWORD })).status, 200);
    await apiClient(service, { 'user-agent': CURL }).postJson('/api/login', { email: BOB, password: 'not his password' });
  });
  after(() => service.close());

  it('the API lists the signed-in user own events in plain words, newest first, and nobody else', async () => {
    const list = await events(ada);
    const types = list.map((e) => e.type);
    for (const type of ['user.registered', 'login.failed', 'login.succeeded', 'password.changed']) assert.ok(types.includes(type), type);
    assert.equal(types[0], 'password.changed', 'newest first');
    const labels = new Map(list.map((e) => [e.type, e.label]));
    assert.equal(labels.get('password.changed'), 'Password changed');
    assert.equal(labels.get('login.succeeded'), 'Signed in');
    assert.equal(labels.get('login.failed'), 'Failed sign-in attempt');
    const signIn = list.find((e) => e.type === 'login.succeeded');
    assert.equal(signIn?.browser, 'Firefox on Linux');
    assert.equal(signIn?.ip, '127.0.0.1');
    assert.match(signIn?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(!list.some((e) => e.browser === 'curl'), "none of Bob's events");
    assert.deepEqual(Object.keys(list[0] ?? {}).sort(), ['browser', 'ip', 'label', 'time', 'type'], 'no detail, no ids');

    const adaId = (await service.deps.store.users.findByCanonicalEmail(ADA))?.id ?? '';
    const stored = await service.deps.store.audit.listForUser(adaId, 20);
    assert.deepEqual(
      list.map((e) => [e.type, Date.parse(e.time)]),
      stored.map((e) => [e.type, Number(e.created_at)]),
    );

    const bobs = await events(bob);
    assert.ok(bobs.length >= 3);
    assert.ok(bobs.every((e) => e.browser === 'curl' || e.type === 'user.registered' || e.type === 'email.confirmed'));
    assert.ok(!bobs.some((e) => e.type === 'password.changed'), "not Ada's password change");
  });

  it('shows the last 20 events only, and an unknown type as itself', async () => {
    const bobId = (await service.deps.store.users.findByCanonicalEmail(BOB))?.id ?? '';
    const now = Date.now();
    for (let i = 0; i < 25; i++) {
      await service.deps.store.audit.record({
        type: 'passkey.renamed',
        userId: bobId,
        ip: '198.51.100.7',
        userAgent: null,
        nowMs: now + i,
      });
    }
    await service.deps.store.audit.record({
      type: 'something.new' as 'passkey.renamed',
      userId: bobId,
      ip: null,
      userAgent: null,
      nowMs: now + 100,
    });
    const list = await events(bob);
    assert.equal(list.length, 20);
    assert.deepEqual(list[0], {
      type: 'something.new',
      label: 'something.new',
      time: new Date(now + 100).toISOString(),
      ip: null,
      browser: 'Unknown browser',
    });
    assert.deepEqual(list[1], {
      type: 'passkey.renamed',
      label: 'Passkey renamed',
      time: new Date(now + 24).toISOString(),
      ip: '198.51.100.7',
      browser: 'Unknown browser',
    });
  });

  it('401 for the API and a sign-in redirect for the page when signed out', async () => {
    const anonymous = apiClient(service);
    const api = await anonymous.get('/api/account/activity');
    assert.equal(api.status, 401);
    assert.equal(api.json().error.code, 'NOT_AUTHENTICATED');
    assert.ok(!api.text.includes('login.'), 'no events');
    const page = await new TestClient(service.url).get('/account/activity');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/login?next=%2Faccount%2Factivity');
  });

  it('the page, linked from the account page, shows the same events as a table without script', async () => {
    const browser = new TestClient(service.url, { 'user-agent': FIREFOX });
    await browser.submitForm('/login', '/login', { email: ADA, password: NEW_PASSWORD });
    const home = await browser.get('/');
    assert.match(home.text, /<a href="\/account\/activity">Recent security activity<\/a>/);
    const page = await browser.get('/account/activity');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Recent security activity<\/h1>/);
    assert.match(
      page.text,
      /<th scope="col">What<\/th><th scope="col">When<\/th><th scope="col">IP address<\/th><th scope="col">Browser<\/th>/,
    );
    assert.match(
      page.text,
      /<tr><td>Password changed<\/td><td><time datetime="\d{4}-[^"]+">[^<]+ UTC\)?<\/time><\/td><td>127\.0\.0\.1<\/td><td>Firefox on Linux<\/td><\/tr>/,
    );
    assert.match(page.text, /<td>Failed sign-in attempt<\/td>/);
    assert.doesNotMatch(page.text, /<script|curl|Passkey renamed|bob@example\.com/);
  });

  it('the password-changed notice mail links to the page under PUBLIC_URL', async () => {
    const mail = await service.smtp.waitForMail(ADA, { subject: /Your password was changed/ });
    const expected = `${service.config.publicUrl.origin}/account/activity`;
    assert.ok((mail.parsed.text ?? '').includes(`See your recent security activity:\n${expected}\n`), mail.parsed.text);
    assert.ok(String(mail.parsed.html).includes(`href="${expected}"`));
  });
});
