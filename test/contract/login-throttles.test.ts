import assert from 'node:assert/strict';
import { it } from 'node:test';
import { delayMsAfter, type ThrottleRule } from '../../src/store/login-throttles-repository.ts';
import { describeEachDatabase } from '../support/databases.ts';

const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const rule: ThrottleRule = { after: 10, maxDelaySeconds: 60, windowMs: HOUR };

describeEachDatabase('login throttles store contract', (database) => {
  it('reserves attempts atomically: of 40 parallel attempts exactly `after` pass, on every connection', async () => {
    const { store } = database();
    const results = await Promise.all(Array.from({ length: 40 }, () => store.loginThrottles.reserve('race', NOW, rule)));
    assert.equal(results.filter(Boolean).length, rule.after);
    assert.deepEqual(await store.loginThrottles.find('race'), { failures: rule.after, lastFailedAtMs: NOW });
  });

  it('lets one attempt through after each wait, doubling it up to the cap', async () => {
    const { store } = database();
    for (let i = 0; i < rule.after; i++) assert.equal(await store.loginThrottles.reserve('steps', NOW, rule), true);
    let at = NOW;
    for (let failures = rule.after; failures < rule.after + 9; failures++) {
      const waitMs = delayMsAfter(failures, rule);
      assert.equal(waitMs, Math.min(2 ** (failures - rule.after), 60) * 1000);
      assert.equal(await store.loginThrottles.reserve('steps', at + waitMs - 1, rule), false, `1 ms early at ${failures}`);
      at += waitMs;
      assert.equal(await store.loginThrottles.reserve('steps', at, rule), true, `on time at ${failures}`);
      assert.equal(await store.loginThrottles.reserve('steps', at, rule), false, 'one attempt per wait');
    }
    assert.equal((await store.loginThrottles.find('steps'))?.failures, rule.after + 9);
  });

  it('gives an attempt back, restarts after a quiet window, and is cleared and cleaned up', async () => {
    const { store } = database();
    for (let i = 0; i < rule.after; i++) await store.loginThrottles.reserve('k', NOW, rule);
    assert.equal(await store.loginThrottles.reserve('k', NOW, rule), false);
    await store.loginThrottles.release('k');
    assert.equal(await store.loginThrottles.reserve('k', NOW, rule), true, 'the given-back attempt is free again');
    assert.equal(await store.loginThrottles.reserve('k', NOW + HOUR + 1, rule), true, 'a quiet hour forgets');
    assert.deepEqual(await store.loginThrottles.find('k'), { failures: 1, lastFailedAtMs: NOW + HOUR + 1 });
    await store.loginThrottles.release('k');
    await store.loginThrottles.release('k');
    assert.equal((await store.loginThrottles.find('k'))?.failures, 0, 'never below zero');
    await store.loginThrottles.clear('k');
    assert.equal(await store.loginThrottles.find('k'), undefined);
    await store.loginThrottles.reserve('old', NOW - 2 * HOUR, rule);
    await store.loginThrottles.reserve('recent', NOW + 2 * HOUR, rule);
    assert.ok((await store.loginThrottles.deleteOlderThan(NOW + HOUR)) >= 1);
    assert.equal(await store.loginThrottles.find('old'), undefined);
    assert.ok(await store.loginThrottles.find('recent'));
  });
});
