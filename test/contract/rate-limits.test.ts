import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import type { Limit } from '../../src/rate-limits/limiter.ts';
import { type LimitBackend, memoryBackend } from '../../src/rate-limits/rate-limits.ts';
import { RedisLimitBackend } from '../../src/rate-limits/redis-backend.ts';
import { LogCapture } from '../support/log-capture.ts';

const silent = pino({ level: 'silent' });
const prefix = () => `latchkey-test-${randomBytes(4).toString('hex')}`;

/** Backends the rate-limit port runs on. Limits live in memory or Redis, never in the SQL database. */
const BACKENDS: { name: string; skip: string | undefined; make(): LimitBackend }[] = [
  { name: 'memory', skip: undefined, make: () => memoryBackend },
  {
    name: 'redis',
    skip: process.env.TEST_REDIS_URL
      ? undefined
      : 'SKIPPED on Redis: TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379; .ci/run sets it)',
    make: () => new RedisLimitBackend({ url: process.env.TEST_REDIS_URL as string, keyPrefix: prefix(), logger: silent }),
  },
  {
    // Nothing listens on port 1: the in-memory insurance limiter must carry the limits.
    name: 'redis unreachable (in-memory fallback)',
    skip: undefined,
    make: () => new RedisLimitBackend({ url: 'redis://127.0.0.1:1', keyPrefix: prefix(), logger: silent }),
  },
];

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const backend of BACKENDS) {
  describe(`rate limits contract [${backend.name}]`, { skip: backend.skip }, () => {
    const instance = backend.skip ? undefined : backend.make();
    after(() => instance?.close());
    const limit = (points: number, durationSeconds = 60): Limit =>
      (instance as LimitBackend).make(`t-${randomBytes(3).toString('hex')}`, { points, durationSeconds });

    it('allows the configured points per key, then refuses with a retry time', async () => {
      if (instance instanceof RedisLimitBackend && backend.name === 'redis') await until(() => instance.shared);
      const l = limit(3, 120);
      for (let i = 0; i < 3; i++) assert.deepEqual(await l.consume('k'), { allowed: true, retryAfterSeconds: 0 });
      const refused = await l.consume('k');
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 120, String(refused.retryAfterSeconds));
      assert.equal((await l.consume('other')).allowed, true, 'keys are counted apart');
    });

    it('checks without consuming, and resets a key', async () => {
      const l = limit(1);
      assert.equal((await l.check('k')).allowed, true);
      assert.equal((await l.check('k')).allowed, true);
      assert.equal((await l.consume('k')).allowed, true);
      assert.equal((await l.check('k')).allowed, false);
      await l.reset('k');
      assert.equal((await l.consume('k')).allowed, true);
    });

    it('gives a point back, and counts a keyed-by limit under the mapped key', async () => {
      const l = limit(2);
      assert.equal((await l.consume('k')).allowed, true);
      assert.equal((await l.consume('k')).allowed, true);
      await l.giveBack('k');
      assert.equal((await l.consume('k')).allowed, true, 'the given-back point is free again');
      assert.equal((await l.consume('k')).allowed, false);
      const bySubnet = limit(1).keyedBy((key) => key.split('/')[0] as string);
      assert.equal((await bySubnet.consume('net/1')).allowed, true);
      assert.equal((await bySubnet.consume('net/2')).allowed, false, 'both keys map to "net"');
      assert.equal((await bySubnet.check('net/3')).allowed, false);
      await bySubnet.reset('net/4');
      assert.equal((await bySubnet.consume('net/5')).allowed, true);
    });

    it('counts parallel attempts atomically: exactly the allowed number pass', async () => {
      const l = limit(5);
      const results = await Promise.all(Array.from({ length: 50 }, () => l.consume('burst')));
      assert.equal(results.filter((r) => r.allowed).length, 5);
    });
  });
}

describe('Redis limit backend logging', () => {
  it('warns once when Redis is unreachable, without the password of REDIS_URL', async () => {
    const capture = new LogCapture();
    const backend = new RedisLimitBackend({
      url: 'redis://:sekret-password@127.0.0.1:1',
      keyPrefix: prefix(),
      logger: pino({ level: 'info' }, capture),
    });
    try {
      assert.equal((await backend.make('log-test', { points: 1, durationSeconds: 60 }).consume('k')).allowed, true);
      await capture.waitFor(/Redis is unreachable/);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(
        capture.entries.filter((e) => /Redis is unreachable/.test(e.msg)).length,
        1,
        'one warning per outage, not one per retry',
      );
      assert.ok(!capture.lines.join('').includes('sekret-password'));
      assert.match(capture.lines.join(''), /redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    } finally {
      await backend.close();
    }
  });
});
