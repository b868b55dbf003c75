import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestResponse } from '../support/client.ts';
import { apiClient, headersWithoutDate, registerUser, requestResetToken, signedInClient } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('sign-in tracking and the per-account slow-down (LOGIN_THROTTLE_AFTER=3)', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  // The in-memory per-account limit is set out of the way, so that the slow-down alone is measured.
  before(async () => {
    service = await startTestService(
      { LOGIN_THROTTLE_AFTER: '3', RATE_LIMIT_LOGIN_ACCOUNT: '1000/900', RATE_LIMIT_LOGIN_IP: '10000/900' },
      { clock },
    );
    await registerUser(service, EMAIL, PASSWORD);
  });
  after(() => service.close());

  const attempt = (email: string, password: string) => apiClient(service).postJson('/api/login', { email, password });

  it('records the last sign-in, its IP and the count, and shows the previous one on the account page', async () => {
    const first = await signedInClient(service, EMAIL, PASSWORD);
    assert.match((await first.get('/')).text, /This is your first sign-in/);
    const firstAt = clock.nowMs();
    clock.advanceSeconds(3600);
    const second = await signedInClient(service, EMAIL, PASSWORD);
    const account = (await second.get('/api/account')).json().account;
    assert.equal(account.loginCount, 2);
    assert.equal(account.lastLoginAtMs, firstAt);
    assert.equal(account.lastLoginIp, '127.0.0.1');
    // Shown relative to the injected clock, with the full time and its zone, in a <time> element.
    assert.match(
      (await second.get('/')).text,
      new RegExp(
        `Last sign-in</dt><dd><time datetime="${new Date(firstAt).toISOString()}">1 hour ago \\([^)]+ UTC\\)</time> from 127\\.0\\.0\\.1`,
      ),
    );
  });

  it('slows an account down after repeated failures, known and unknown alike, even for the right password', async () => {
    // A browser that signed in before is judged by its own failures instead (S29).
    const knownBrowser = await signedInClient(service, EMAIL, PASSWORD);
    const known: TestResponse[] = [];
    const unknown: TestResponse[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await attempt(EMAIL, `wrong ${i}`));
      unknown.push(await attempt('nobody@example.com', `wrong ${i}`));
    }
    for (let i = 0; i < 3; i++) assert.equal(known[i]!.status, 401, `failure ${i}`);
    {
      const k = known[3] as TestResponse;
      const u = unknown[3] as TestResponse;
      assert.equal(k.status, 429);
      assert.equal(k.json().error.code, 'RATE_LIMITED');
      assert.equal(k.headers.get('retry-after'), '1');
      assert.equal(k.text, u.text);
      assert.deepEqual(headersWithoutDate(k), headersWithoutDate(u));
    }
    assert.equal((await attempt(EMAIL, PASSWORD)).status, 429, 'the right password waits too');
    const user = await service.deps.store.users.findByCanonicalEmail(EMAIL);
    assert.equal(user?.failed_login_count, 3);
    const signedIn = await knownBrowser.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(signedIn.status, 200, 'but not in a known browser, which keeps no part of the slow-down');

    // 1 s after the third failure, one more try; each failure doubles the wait.
    clock.advanceSeconds(1);
    assert.equal((await attempt(EMAIL, 'wrong again')).status, 401);
    const limited = await attempt(EMAIL, PASSWORD);
    assert.equal(limited.headers.get('retry-after'), '2');
    clock.advanceSeconds(2);
    assert.equal((await attempt(EMAIL, PASSWORD)).status, 200, 'never a lock: the right password works after the wait');
    assert.equal((await service.deps.store.users.findByCanonicalEmail(EMAIL))?.failed_login_count, 0);
  });

  it('caps the wait at LOGIN_THROTTLE_MAX_DELAY (60 s): fewer than 100 failures an hour', async () => {
    let failures = 0;
    const start = clock.nowMs();
    // An attacker who tries again the moment each wait ends, for one hour of clock time.
    while (clock.nowMs() - start < 3_600_000) {
      const response = await attempt(EMAIL, 'wrong');
      if (response.status === 401) {
        failures++;
        continue;
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
      clock.advanceSeconds(retryAfter);
    }
    assert.ok(failures < 100, `${failures} failures in an hour`);
  });

  it('a completed reset clears the slow-down, so the real user can always get in', async () => {
    for (let i = 0; i < 5; i++) await attempt(EMAIL, 'wrong');
    assert.equal((await attempt(EMAIL, PASSWORD)).status, 429);
    const token = await requestResetToken(service, EMAIL);
    assert.equal((await apiClient(service).postJson('/api/password/reset', { token, password: 'a brand new passphrase' })).status, 200);
    assert.equal((await attempt(EMAIL, 'a brand new passphrase')).status, 200);
  });
});
