import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient, TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser, signedInClient } from '../support/flows.ts';

const KNOWN = 'ada@example.com';
const UNKNOWN = 'nobody@example.com';
const PASSWORD = 'correct horse battery';

/** Headers compared without Date and Retry-After (whose value is checked on its own). */
const comparable = (response: TestResponse) => headersWithoutDate(response).filter(([name]) => name !== 'retry-after');

describe('per-account login limit (S19) without telling who has an account (S7)', () => {
  let service: TestService;
  let knownBrowser: TestClient;
  before(async () => {
    service = await startTestService();
    await registerUser(service, KNOWN, PASSWORD);
    knownBrowser = await signedInClient(service, KNOWN, PASSWORD);
  });
  after(() => service.close());

  /** Ten wrong passwords (the default limit), then the eleventh attempt. */
  async function exhaust(email: string): Promise<{ failures: TestResponse[]; limited: TestResponse }> {
    assert.deepEqual(service.config.rateLimits.loginPerAccount, { points: 10, durationSeconds: 900 });
    const api = apiClient(service);
    const failures: TestResponse[] = [];
    for (let i = 0; i < 10; i++) failures.push(await api.postJson('/api/login', { email, password: `wrong guess ${i}` }));
    return { failures, limited: await api.postJson('/api/login', { email, password: 'wrong guess 10' }) };
  }

  it('answers 429 RATE_LIMITED with Retry-After for known and unknown accounts alike', async () => {
    const known = await exhaust(KNOWN);
    const unknown = await exhaust(UNKNOWN);
    for (const [i, response] of [...known.failures, ...unknown.failures].entries()) {
      assert.equal(response.status, 401, `attempt ${i}`);
      assert.equal(response.json().error.code, 'INVALID_CREDENTIALS');
      assert.equal(response.text, known.failures[0]?.text);
      assert.deepEqual(headersWithoutDate(response), headersWithoutDate(known.failures[0] as TestResponse));
    }
    for (const limited of [known.limited, unknown.limited]) {
      assert.equal(limited.status, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 900, `Retry-After: ${retryAfter}`);
    }
    assert.equal(unknown.limited.text, known.limited.text);
    assert.deepEqual(comparable(unknown.limited), comparable(known.limited));
    for (const limited of [known.limited, unknown.limited]) {
      assert.ok(Number(limited.headers.get('retry-after')) >= 800, 'both windows started moments ago');
    }
  });

  it('keeps refusing clients the account has not seen while limited, even the right password, keyed by the canonical address', async () => {
    const api = apiClient(service);
    for (const email of [KNOWN, ' ADA@Example.COM']) {
      const response = await api.postJson('/api/login', { email, password: PASSWORD });
      assert.equal(response.status, 429, email);
      assert.ok(response.headers.get('retry-after'));
    }
    assert.equal(api.cookies.size, 0, 'no session while limited');
  });

  it("but never the owner's known browser, which has its own budget (S29)", async () => {
    assert.equal((await knownBrowser.postJson('/api/login', { email: KNOWN, password: PASSWORD })).status, 200);
  });

  it('limits one account without locking out another', async () => {
    await registerUser(service, 'bob@example.com', PASSWORD);
    assert.equal((await apiClient(service).postJson('/api/login', { email: 'bob@example.com', password: PASSWORD })).status, 200);
  });

  it('shows the limit on the HTML form with Retry-After too', async () => {
    const browser = apiClient(service);
    const csrf = (await browser.get('/login')).csrfToken();
    const page = await browser.postForm('/login', { _csrf: csrf, email: UNKNOWN, password: 'wrong guess' });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.match(page.text, /Too many attempts/);
  });
});
