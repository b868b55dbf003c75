import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { apiClient, registerUser, signedInClient } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';
const ACCOUNTS = ['ada@example.com', 'bob@example.com', 'cy@example.com'];

/** Each account's events carry its own IP (written straight to the trail), so a stray one shows. */
const ipOf = (i: number) => `192.0.2.${i + 10}`;

describe('the activity API and page show each account only its own events', () => {
  let service: TestService;
  const clients: TestClient[] = [];
  const ids: string[] = [];

  before(async () => {
    service = await startTestService();
    for (const [i, email] of ACCOUNTS.entries()) {
      await registerUser(service, email, PASSWORD);
      clients.push(await signedInClient(service, email, PASSWORD));
      const user = await service.deps.store.users.findByCanonicalEmail(email);
      ids.push(user?.id ?? '');
      for (let n = 0; n < 5; n++) {
        await service.deps.store.audit.record({
          type: 'phone.added',
          userId: user?.id ?? null,
          ip: ipOf(i),
          userAgent: null,
          nowMs: Date.now() + n,
        });
      }
    }
    // Events of no account, like a failed sign-in for an unknown address.
    await service.deps.store.audit.record({
      type: 'login.failed',
      userId: null,
      ip: '198.51.100.1',
      userAgent: null,
      nowMs: Date.now() + 50,
    });
  });
  after(() => service.close());

  it('under concurrent requests, every answer holds only the caller own events', async () => {
    const rounds = await Promise.all(
      Array.from({ length: 4 }, () => clients.map((c, i) => c.get('/api/account/activity').then((r) => ({ i, r })))).flat(),
    );
    for (const { i, r } of rounds) {
      assert.equal(r.status, 200);
      const events = (r.json() as { events: Array<{ ip: string | null; type: string }> }).events;
      const foreign = events.filter((e) => e.ip !== ipOf(i) && e.ip !== '127.0.0.1');
      assert.deepEqual(foreign, [], `account ${i} sees only its own`);
      assert.equal(events.filter((e) => e.ip === ipOf(i)).length, 5);
      for (const id of ids) assert.ok(!r.text.includes(id), 'no account ids in the answer');
    }
  });

  it('parameters naming another account are ignored, the answer is the same', async () => {
    const [ada, bob] = clients as [TestClient, TestClient];
    const own = await ada.get('/api/account/activity');
    for (const query of [`?user_id=${ids[1]}`, `?userId=${ids[1]}`, '?user=bob@example.com', '?email=bob@example.com', '?limit=1000']) {
      const response = await ada.get(`/api/account/activity${query}`);
      assert.equal(response.status, 200, query);
      assert.deepEqual(response.json(), own.json(), query);
    }
    const page = await bob.get(`/account/activity?user_id=${ids[0]}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(ipOf(1)));
    assert.ok(!page.text.includes(ipOf(0)) && !page.text.includes('ada@example.com'));
  });

  it('a signed-out, ended or forged session gets 401 and no events', async () => {
    const ended = await signedInClient(service, 'cy@example.com', PASSWORD);
    assert.equal((await ended.postJson('/api/logout', {})).status, 204);
    const forged = apiClient(service, { cookie: `lk_session=${'A'.repeat(43)}` });
    for (const client of [apiClient(service), ended, forged]) {
      const response = await client.get('/api/account/activity');
      assert.equal(response.status, 401);
      assert.equal(response.json().error.code, 'NOT_AUTHENTICATED');
      assert.ok(!/192\.0\.2\.|phone\.added/.test(response.text));
    }
  });

  it('only GET: other methods are refused without a change', async () => {
    const [ada] = clients as [TestClient];
    const response = await ada.postJson('/api/account/activity', {});
    assert.ok(response.status === 404 || response.status === 405, String(response.status));
    assert.equal((await ada.get('/api/account/activity')).status, 200);
  });
});
