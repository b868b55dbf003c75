import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser } from '../support/flows.ts';

const KNOWN = 'ada@example.com';
const UNKNOWN = 'nobody@example.com';

/** Status, every header but Date, and body: what an observer can compare. */
function observable(response: TestResponse) {
  return { status: response.status, headers: headersWithoutDate(response), body: response.text };
}

describe('forgot-password answers the same for every well-formed address (S7)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
    await registerUser(service, KNOWN, 'correct horse battery');
  });
  after(() => service.close());

  it('API: known, unknown, differently written and rate-limited addresses get byte-identical responses', async () => {
    const api = apiClient(service);
    const first = await api.postJson('/api/password/forgot', { email: KNOWN });
    assert.equal(first.status, 202);
    assert.match(first.json().message, /If an account uses that address/);
    // Past the per-email limit (5/hour) for the known address, then past the per-IP limit (20/hour).
    const addresses = [UNKNOWN, ' ADA@Example.com ', KNOWN, KNOWN, KNOWN, KNOWN, KNOWN, UNKNOWN, 'someone.else@example.org'];
    for (let i = 0; i < 24; i++) addresses.push(i % 2 === 0 ? KNOWN : `unknown${i}@example.net`);
    for (const email of addresses) {
      const response = await api.postJson('/api/password/forgot', { email });
      assert.deepEqual(observable(response), observable(first), `response for ${email} differs`);
    }
    assert.equal(api.cookies.size, 0, 'no cookie is ever set');
  });

  it('HTML form: known, unknown and limited addresses render the same page', async () => {
    const browser = new TestClient(service.url);
    const csrf = (await browser.get('/forgot-password')).csrfToken();
    // The answer is a redirect to "check your inbox", which names the typed address: the same
    // page, but for that address, whether or not an account uses it.
    const inboxPage = async () => {
      const page = await browser.get('/check-inbox');
      // content-length follows the length of the typed address; the body is compared without it.
      return { ...observable(page), headers: headersWithoutDate(page).filter(([name]) => name !== 'content-length') };
    };
    const first = await browser.postForm('/forgot-password', { _csrf: csrf, email: KNOWN });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/check-inbox');
    const firstPage = await inboxPage();
    assert.match(firstPage.body, /If an account uses <strong>ada@example.com<\/strong>/);
    const withoutAddress = (page: { body: string }, email: string) => ({ ...page, body: page.body.replaceAll(email, '<address>') });
    for (const email of [UNKNOWN, KNOWN, 'other@example.org', KNOWN]) {
      const response = await browser.postForm('/forgot-password', { _csrf: csrf, email });
      assert.deepEqual(observable(response), observable(first), `answer for ${email} differs`);
      assert.deepEqual(withoutAddress(await inboxPage(), email), withoutAddress(firstPage, KNOWN), `page for ${email} differs`);
    }
  });

  it('a malformed address gets EMAIL_INVALID, the same whether or not it resembles an account', async () => {
    const api = apiClient(service);
    const known = await api.postJson('/api/password/forgot', { email: `${KNOWN},eve@evil.example` });
    const unknown = await api.postJson('/api/password/forgot', { email: `${UNKNOWN},eve@evil.example` });
    assert.equal(known.status, 400);
    assert.equal(known.json().error.code, 'EMAIL_INVALID');
    assert.deepEqual(observable(unknown), observable(known));
  });
});
