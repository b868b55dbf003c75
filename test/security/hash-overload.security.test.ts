import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('a burst of logins beyond the hashing capacity (S14)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({
      HASH_CONCURRENCY: '1',
      HASH_QUEUE_LIMIT: '2',
      RATE_LIMIT_LOGIN_IP: '1000/900',
      RATE_LIMIT_LOGIN_ACCOUNT: '1000/900',
      // 20 attempts per identifier below: the slow-down (which reserves attempts) stays out of the way.
      LOGIN_THROTTLE_AFTER: '20',
    });
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  it('answers the excess with 503 OVERLOADED and Retry-After, never a crash, and serves again afterwards', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        apiClient(service).postJson('/api/login', { email: i % 2 ? EMAIL : 'nobody@example.com', password: 'wrong password' }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 401 || s === 503),
      statuses.join(','),
    );
    const overloaded = responses.filter((r) => r.status === 503);
    assert.ok(overloaded.length >= 1, `expected some 503s: ${statuses.join(',')}`);
    assert.ok(statuses.filter((s) => s === 401).length >= 3, 'the running and queued hashes complete');
    for (const response of overloaded) {
      assert.equal(response.json().error.code, 'OVERLOADED');
      assert.equal(response.headers.get('retry-after'), '1');
    }
    assert.equal((await apiClient(service).postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 200);
    assert.equal((await apiClient(service).get('/login')).status, 200);
  });
});
