import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';
const KNOWN = 'ada@example.com';
const UNKNOWN = 'nobody@example.com';

/** A response as an observer compares it: status, Location, cookie attributes (not sealed values), body with the address and CSRF values masked. */
function shape(response: TestResponse, address: string) {
  const cookies = response.headers.getSetCookie().map((line) => line.replace(/^([^=]+)=[^;]*/, '$1=…'));
  const body = response.text
    .split(address)
    .join('ADDRESS')
    .replace(/value="[A-Za-z0-9_-]{40,}"/g, 'value="CSRF"');
  return { status: response.status, location: response.location, cookies, body };
}

describe('"check your inbox" reads the same for known and unknown addresses (S7)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_FORGOT_EMAIL: '100/3600', RATE_LIMIT_REGISTER_IP: '100/3600' });
    await registerUser(service, KNOWN, PASSWORD);
  });
  after(() => service.close());

  for (const [form, fields] of [
    ['/register', { password: 'a long new passphrase', password_confirm: 'a long new passphrase' }],
    ['/forgot-password', {}],
    ['/confirm/resend', {}],
  ] as const) {
    it(`${form}: the redirect and the page, response by response`, async () => {
      const seen = [];
      for (const address of [KNOWN, UNKNOWN]) {
        const browser = new TestClient(service.url);
        const pagePath = form === '/confirm/resend' ? '/confirm/resend' : form;
        const sent = await browser.submitForm(pagePath, form, { email: address, ...fields });
        const page = await browser.get('/check-inbox');
        assert.ok(page.text.includes(address), 'the page names the typed address');
        seen.push({ sent: shape(sent, address), page: shape(page, address) });
      }
      assert.deepEqual(seen[0], seen[1]);
      assert.equal(seen[0]?.sent.status, 303);
    });
  }

  it('a cookie sealed for one browser shows its address only: it cannot be made to name another', async () => {
    const browser = new TestClient(service.url);
    await browser.submitForm('/forgot-password', '/forgot-password', { email: KNOWN });
    const sealed = browser.cookies.get('lk_inbox') as string;
    const parts = sealed.split('.');
    // Another body under the same tag, or the tag of another cookie: both refused.
    const other = new TestClient(service.url);
    await other.submitForm('/forgot-password', '/forgot-password', { email: UNKNOWN });
    const foreign = (other.cookies.get('lk_inbox') as string).split('.');
    const spliced = [parts[0], parts[1], parts[2], parts[3], foreign[4]].join('.');
    const thief = new TestClient(service.url);
    thief.cookies.set('lk_inbox', spliced);
    const page = await thief.get('/check-inbox');
    assert.ok(!page.text.includes(KNOWN) && !page.text.includes(UNKNOWN));
  });
});
