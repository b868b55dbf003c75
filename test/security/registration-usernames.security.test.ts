import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { outboxSettled, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';
const KNOWN = 'known@example.com';
const TAKEN = 'taken_name';
const NAME = 'Claim your prize at https://evil.example';

/** Status, every header but Date (Set-Cookie included) and body, response by response. */
function assertSameAnswers(responses: Array<[string, TestResponse]>): void {
  const [[, first], ...rest] = responses as [[string, TestResponse], ...Array<[string, TestResponse]>];
  for (const [what, response] of rest) {
    assert.equal(response.status, first.status, `${what}: status`);
    assert.deepEqual(headersWithoutDate(response), headersWithoutDate(first), `${what}: headers and cookies`);
    assert.equal(response.text, first.text, `${what}: body`);
  }
}

describe('registration with usernames tells nobody who has an account (S7)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ USERNAMES: 'optional' });
    await registerUnconfirmed(service, KNOWN, PASSWORD, { username: TAKEN });
  });
  after(() => service.close());

  it('JSON: known or unknown address, free or taken username, all answer the same', async () => {
    const api = apiClient(service);
    const register = (email: string, username: string) =>
      api.postJson('/api/register', { email, password: PASSWORD, name: NAME, username });
    const responses: Array<[string, TestResponse]> = [
      ['known address, free username', await register(KNOWN, 'free_one')],
      ['known address, taken username', await register(KNOWN, TAKEN)],
      ['unknown address, free username', await register('new-free@example.com', 'free_two')],
      ['unknown address, taken username', await register('new-taken@example.com', 'TAKEN_Name')],
    ];
    assertSameAnswers(responses);
    assert.equal(responses[0]![1].status, 202);

    // Only the inbox learns what happened.
    await service.smtp.waitForMail('new-free@example.com', { subject: /^Welcome/ });
    const unavailable = await service.smtp.waitForMail('new-taken@example.com', { subject: /^Choose another username$/ });
    const text = unavailable.parsed.text ?? '';
    assert.match(text, /the username they chose belongs to another account\. No account was created\./);
    assert.match(text, new RegExp(`${service.config.publicUrl.origin}/register`));
    for (const typed of [NAME, 'evil.example', 'TAKEN_Name', TAKEN]) {
      assert.ok(!text.includes(typed) && !(unavailable.parsed.html ?? '').includes(typed), `the mail does not repeat "${typed}"`);
    }
    assert.equal(await service.deps.store.users.findByCanonicalEmail('new-taken@example.com'), undefined, 'no account was made');
    assert.ok(await service.deps.store.users.findByCanonicalEmail('new-free@example.com'));
    for (let i = 0; i < 2; i++) await service.smtp.waitForMail(KNOWN, { subject: /^You already have an account$/ });

    // With another username, the person whose choice was taken registers.
    assert.equal((await register('new-taken@example.com', 'another_name')).status, 202);
    await service.smtp.waitForMail('new-taken@example.com', { subject: /^Welcome/ });
  });

  it('HTML form: the four cases render the same page with the same headers and cookies', async () => {
    const browser = new TestClient(service.url);
    const form = await browser.get('/register');
    const submit = (email: string, username: string) =>
      browser.postForm('/register', {
        _csrf: form.csrfToken(),
        name: NAME,
        username,
        email,
        password: PASSWORD,
        password_confirm: PASSWORD,
      });
    // Each answer is a 303 to "check your inbox" with the typed address sealed in a cookie: the
    // same answer but for the sealed value, and the same page but for the address it names.
    const cases: Array<[string, string, string]> = [
      ['known address, free username', KNOWN, 'free_three'],
      ['known address, taken username', KNOWN, TAKEN],
      ['unknown address, free username', 'form-free@example.com', 'free_four'],
      ['unknown address, taken username', 'form-taken@example.com', TAKEN],
    ];
    const masked = (response: TestResponse, address: string) => {
      const cookies = response.headers.getSetCookie().map((line) => line.replace(/^([^=]+)=[^;]*/, '$1=…'));
      const headers = headersWithoutDate(response).filter(([name]) => name !== 'set-cookie' && name !== 'content-length'); // the address's length shows in the body's
      return { status: response.status, headers, cookies, body: response.text.split(address).join('ADDRESS') };
    };
    const answers = [];
    for (const [what, email, username] of cases) {
      const sent = await submit(email, username);
      const page = await browser.get('/check-inbox');
      answers.push([what, masked(sent, email), masked(page, email)] as const);
    }
    const [, firstSent, firstPage] = answers[0]!;
    for (const [what, sent, page] of answers.slice(1)) {
      assert.deepEqual(sent, firstSent, `${what}: the answer`);
      assert.deepEqual(page, firstPage, `${what}: the check-inbox page`);
    }
    assert.equal(firstSent.status, 303);
    assert.match(firstPage.body, /We have sent a message to <strong>ADDRESS<\/strong>/);
    await outboxSettled(service);
    assert.equal(service.smtp.mailsTo('form-taken@example.com').length, 1);
  });
});
