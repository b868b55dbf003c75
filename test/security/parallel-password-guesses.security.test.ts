import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient, TestResponse } from '../support/client.ts';
import { apiClient, registerUser, signedInClient } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const PARALLEL = 40;

/** A clock that stands still, so that no wait of the slow-down ends while a burst is answered. */
const frozen = () => ({ clock: new ManualClock(Date.now()) });

/** Fires `PARALLEL` requests at once and counts the answers by status. */
async function burst(send: (i: number) => Promise<TestResponse>): Promise<Record<number, number>> {
  const responses = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => send(i)));
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  for (const r of responses.filter((x) => x.status === 429)) {
    assert.equal(r.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After on every refusal');
  }
  return counts;
}

/**
 * Parallel guesses (audit finding 4): every limit takes its point before the password is
 * verified, so requests that arrive together cannot all pass a check made before any of them
 * was counted. Exactly the limit passes, on every database (TEST_DATABASE).
 */
describe('parallel password guesses pass exactly the limit, never more', () => {
  describe('sign-in', () => {
    let service: TestService;
    before(async () => {
      service = await startTestService({ RATE_LIMIT_LOGIN_IP: '10000/900', RATE_LIMIT_LOGIN_ACCOUNT: '1000/900' }, frozen());
      await registerUser(service, EMAIL, PASSWORD);
    });
    after(() => service.close());

    it(`${PARALLEL} parallel wrong passwords for one account: LOGIN_THROTTLE_AFTER (10) pass, the rest wait`, async () => {
      const api = apiClient(service);
      const counts = await burst((i) => api.postJson('/api/login', { email: EMAIL, password: `wrong guess ${i}` }));
      assert.deepEqual(counts, { 401: 10, 429: PARALLEL - 10 });
    });

    it('and the same for an address without an account (S7)', async () => {
      const api = apiClient(service);
      const counts = await burst((i) => api.postJson('/api/login', { email: 'nobody@example.com', password: `wrong guess ${i}` }));
      assert.deepEqual(counts, { 401: 10, 429: PARALLEL - 10 });
    });
  });

  describe('sign-in, per-account limit alone', () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(
        { RATE_LIMIT_LOGIN_IP: '10000/900', RATE_LIMIT_LOGIN_ACCOUNT: '4/900', LOGIN_THROTTLE_AFTER: '20' },
        frozen(),
      );
      await registerUser(service, EMAIL, PASSWORD);
    });
    after(() => service.close());

    it(`${PARALLEL} parallel wrong passwords: RATE_LIMIT_LOGIN_ACCOUNT (4) pass`, async () => {
      const api = apiClient(service);
      const counts = await burst((i) => api.postJson('/api/login', { email: EMAIL, password: `wrong guess ${i}` }));
      assert.deepEqual(counts, { 401: 4, 429: PARALLEL - 4 });
    });
  });

  describe('sign-in from a known browser: its own per-device limit alone', () => {
    let service: TestService;
    before(async () => {
      service = await startTestService({ RATE_LIMIT_LOGIN_IP: '10000/900', RATE_LIMIT_LOGIN_DEVICE: '6/900' }, frozen());
      await registerUser(service, EMAIL, PASSWORD);
    });
    after(() => service.close());

    it(`${PARALLEL} parallel wrong passwords with one device cookie: RATE_LIMIT_LOGIN_DEVICE (6) pass`, async () => {
      const browser = await signedInClient(service, EMAIL, PASSWORD);
      assert.ok(browser.cookies.get('lk_device'), 'the browser holds a device cookie');
      const counts = await burst((i) => browser.postJson('/api/login', { email: EMAIL, password: `wrong guess ${i}` }));
      assert.deepEqual(counts, { 401: 6, 429: PARALLEL - 6 });
      assert.equal((await browser.postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 429, 'then it is refused');
    });
  });

  describe('sign-in on two nodes sharing the per-account limit through Redis', {
    skip: process.env.TEST_REDIS_URL ? false : 'SKIPPED: TEST_REDIS_URL is not set',
  }, () => {
    const nodes: TestService[] = [];
    before(async () => {
      const env = {
        RATE_LIMIT_LOGIN_IP: '10000/900',
        RATE_LIMIT_LOGIN_ACCOUNT: '4/900',
        LOGIN_THROTTLE_AFTER: '20',
        REDIS_URL: process.env.TEST_REDIS_URL as string,
        REDIS_KEY_PREFIX: `lk-test-${randomBytes(4).toString('hex')}`,
      };
      nodes.push(await startTestService(env, frozen()), await startTestService(env, frozen()));
      for (const node of nodes) await registerUser(node, EMAIL, PASSWORD);
    });
    after(() => Promise.all(nodes.map((n) => n.close())));

    it(`${PARALLEL} parallel wrong passwords spread over both nodes: 4 pass in all`, async () => {
      const clients = nodes.map((node) => apiClient(node));
      const counts = await burst((i) => (clients[i % 2] as TestClient).postJson('/api/login', { email: EMAIL, password: `wrong ${i}` }));
      assert.deepEqual(counts, { 401: 4, 429: PARALLEL - 4 });
    });
  });

  describe('current-password checks of one session', () => {
    let service: TestService;
    let session: TestClient;
    // The per-session and per-account check limits are set out of the way: the slow-down alone is measured.
    before(async () => {
      service = await startTestService({ RATE_LIMIT_REAUTH_SESSION: '1000/900', RATE_LIMIT_REAUTH_ACCOUNT: '1000/900' }, frozen());
      await registerUser(service, EMAIL, PASSWORD);
      session = await signedInClient(service, EMAIL, PASSWORD);
    });
    after(() => service.close());

    it(`${PARALLEL} parallel wrong passwords on /api/reauthenticate: 10 pass, the rest wait`, async () => {
      const counts = await burst((i) => session.postJson('/api/reauthenticate', { password: `wrong guess ${i}` }));
      assert.deepEqual(counts, { 400: 10, 429: PARALLEL - 10 });
    });

    it('the wait holds for email and password change too, whose checks share the slow-down', async () => {
      const change = await session.postJson('/api/email/change', { email: 'new@example.com', password: 'wrong again' });
      assert.equal(change.status, 429);
      const password = await session.postJson('/api/password/change', { current_password: 'wrong', new_password: 'a new passphrase' });
      assert.equal(password.status, 429);
      assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: 'wrong' })).status, 429, 'and sign-in');
    });
  });

  describe('email and password change', () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(
        {
          RATE_LIMIT_REAUTH_SESSION: '1000/900',
          RATE_LIMIT_REAUTH_ACCOUNT: '1000/900',
          RATE_LIMIT_LOGIN_IP: '10000/900',
          LOGIN_THROTTLE_AFTER: '5',
        },
        frozen(),
      );
      await registerUser(service, EMAIL, PASSWORD);
      await registerUser(service, 'bob@example.com', PASSWORD);
    });
    after(() => service.close());

    it(`${PARALLEL} parallel email changes with a wrong password: LOGIN_THROTTLE_AFTER (5) are checked`, async () => {
      const session = await signedInClient(service, EMAIL, PASSWORD);
      const counts = await burst((i) => session.postJson('/api/email/change', { email: `new${i}@example.com`, password: `wrong ${i}` }));
      assert.deepEqual(counts, { 400: 5, 429: PARALLEL - 5 });
    });

    it(`${PARALLEL} parallel password changes with a wrong current password: 5 are checked`, async () => {
      const session = await signedInClient(service, 'bob@example.com', PASSWORD);
      const counts = await burst((i) =>
        session.postJson('/api/password/change', { current_password: `wrong ${i}`, new_password: 'a brand new passphrase' }),
      );
      assert.deepEqual(counts, { 400: 5, 429: PARALLEL - 5 });
    });
  });

  describe('an attempt refused for overload is given back', () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(
        { HASH_CONCURRENCY: '1', HASH_QUEUE_LIMIT: '0', LOGIN_THROTTLE_AFTER: '20', RATE_LIMIT_LOGIN_ACCOUNT: '1000/900' },
        frozen(),
      );
      await registerUser(service, EMAIL, PASSWORD);
    });
    after(() => service.close());

    it('503 OVERLOADED spends nothing of the slow-down: the identifier keeps exactly its unspent attempts', async () => {
      const api = apiClient(service);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => api.postJson('/api/login', { email: EMAIL, password: `wrong ${i}` })),
      );
      const verified = responses.filter((r) => r.status === 401).length;
      assert.ok(
        responses.some((r) => r.status === 503),
        'some attempts were refused for overload',
      );
      assert.equal(verified + responses.filter((r) => r.status === 503).length, 20);
      for (let i = verified; i < 20; i++) {
        assert.equal((await api.postJson('/api/login', { email: EMAIL, password: 'wrong again' })).status, 401, `attempt ${i + 1}`);
      }
      assert.equal((await api.postJson('/api/login', { email: EMAIL, password: 'wrong again' })).status, 429);
    });
  });
});
