import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser, signedInClient } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';

/** Status, every header but Date (cookies included) and body are the same. */
function assertSameAnswer(responses: TestResponse[], what: string): void {
  const [first, ...rest] = responses;
  for (const [i, response] of rest.entries()) {
    assert.equal(response.status, first!.status, `${what} #${i + 1}: status`);
    assert.deepEqual(headersWithoutDate(response), headersWithoutDate(first!), `${what} #${i + 1}: headers`);
    assert.equal(response.text, first!.text, `${what} #${i + 1}: body`);
  }
}

describe('the new forms tell nobody who has an account (S7, S8)', () => {
  let service: TestService;
  // One address of every kind: unconfirmed, confirmed, disabled, with a username, unknown.
  const addresses = ['unconfirmed@example.com', 'confirmed@example.com', 'disabled@example.com', 'named@example.com', 'nobody@example.com'];
  before(async () => {
    // Generous mail limits: every address here is asked about many times; the limits have their own tests.
    service = await startTestService({ USERNAMES: 'optional', RATE_LIMIT_FORGOT_EMAIL: '100/3600', RATE_LIMIT_FORGOT_IP: '100/3600' });
    await registerUnconfirmed(service, 'unconfirmed@example.com', PASSWORD);
    await registerUser(service, 'confirmed@example.com', PASSWORD);
    await registerUser(service, 'disabled@example.com', PASSWORD);
    await registerUnconfirmed(service, 'named@example.com', PASSWORD, { username: 'named' });
    const disabled = await service.deps.store.users.findByCanonicalEmail('disabled@example.com');
    await service.deps.store.users.setDisabled(disabled!.id, true, Date.now());
  });
  after(() => service.close());

  for (const [path, topic] of [
    ['/api/confirm/resend', 'confirmation-resend-request'],
    ['/api/username/forgot', 'username-reminder-request'],
    ['/api/login/email', 'login-link-request'],
  ] as const) {
    it(`${path}: the same answer and the same queued work for every address`, async () => {
      const api = apiClient(service);
      const responses: TestResponse[] = [];
      // The courier stays still meanwhile, so only what the request itself writes is counted.
      await service.deps.courier.stop();
      for (const email of addresses) {
        const before = new Set((await service.deps.store.db.selectFrom('outbox').select('id').execute()).map((r) => r.id));
        responses.push(await api.postJson(path, { email }));
        // Rows found by id, not by position: a server database returns them in no fixed order.
        const after = await service.deps.store.db.selectFrom('outbox').select(['id', 'topic']).execute();
        const added = after.filter((r) => !before.has(r.id)).map((r) => r.topic);
        assert.deepEqual(added, [topic], `${email}: one sealed job, no mail written in the request`);
      }
      service.deps.courier.start();
      assertSameAnswer(responses, path);
      assert.equal(responses[0]!.status, 202);
    });
  }

  for (const [page, button] of [
    ['/confirm/resend', 'Send confirmation link'],
    ['/forgot-username', 'Send my username'],
  ] as const) {
    it(`${page}: the page answers the same for every address`, async () => {
      const browser = new TestClient(service.url);
      const form = await browser.get(page);
      assert.match(form.text, new RegExp(button));
      const responses: TestResponse[] = [];
      for (const email of addresses) responses.push(await browser.postForm(page, { _csrf: form.csrfToken(), email }));
      assertSameAnswer(responses, page);
      // /confirm/resend answers with a redirect to "check your inbox" (the check-inbox security
      // test compares those pages); /forgot-username answers with its page.
      assert.equal(responses[0]!.status, page === '/confirm/resend' ? 303 : 200);
    });
  }

  it('login: a wrong password for an unconfirmed or disabled account answers like an unknown address', async () => {
    const api = apiClient(service);
    const responses: TestResponse[] = [];
    for (const email of addresses) responses.push(await api.postJson('/api/login', { email, password: 'not the password' }));
    responses.push(await api.postJson('/api/login', { email: 'disabled@example.com', password: PASSWORD }));
    responses.push(await api.postJson('/api/login', { username: 'nobody_at_all', password: 'not the password' }));
    responses.push(await api.postJson('/api/login', { username: 'named', password: 'not the password' }));
    assertSameAnswer(responses, 'login');
    assert.equal(responses[0]!.json().error.code, 'INVALID_CREDENTIALS');

    const browser = new TestClient(service.url);
    const form = await browser.get('/login');
    const pages: TestResponse[] = [];
    for (const email of ['unconfirmed@example.com', 'nobody@example.com']) {
      // The page echoes the typed address; the same spelling length keeps the comparison to what differs.
      const page = await browser.postForm('/login', { _csrf: form.csrfToken(), email, password: 'not the password' });
      pages.push(page);
    }
    assert.equal(pages[0]!.status, pages[1]!.status);
    assert.equal(pages[0]!.text.replace('unconfirmed@example.com', 'nobody@example.com'), pages[1]!.text);
  });

  it('"not confirmed" comes only with the right password', async () => {
    const right = await apiClient(service).postJson('/api/login', { email: 'unconfirmed@example.com', password: PASSWORD });
    assert.equal(right.json().error.code, 'EMAIL_NOT_CONFIRMED');
    const wrong = await apiClient(service).postJson('/api/login', { email: 'unconfirmed@example.com', password: `${PASSWORD}!` });
    assert.equal(wrong.json().error.code, 'INVALID_CREDENTIALS');
  });

  it('change email: the same answer whether the new address is free or taken', async () => {
    const api = await signedInClient(service, 'confirmed@example.com', PASSWORD);
    const responses: TestResponse[] = [];
    for (const email of ['free-one@example.com', 'unconfirmed@example.com', 'disabled@example.com', 'free-two@example.com']) {
      responses.push(await api.postJson('/api/email/change', { email, password: PASSWORD }));
    }
    assertSameAnswer(responses, 'change email');
    assert.equal(responses[0]!.status, 202);
  });
});
