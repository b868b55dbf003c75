import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';
import { OwnRedisServer } from '../support/redis-server.ts';

// Per address: 2 reset requests per hour, counted across every node sharing the Redis.
const LIMITS = { RATE_LIMIT_FORGOT_EMAIL: '2/3600', RATE_LIMIT_FORGOT_IP: '100000/3600' };

/** Reset-request jobs queued by a node: one per forgot-password request that passed the limits. */
async function queuedRequests(service: TestService): Promise<number> {
  const rows = await service.deps.store.db.selectFrom('outbox').select('id').where('topic', '=', 'password-reset-request').execute();
  return rows.length;
}

async function forgot(service: TestService, email: string): Promise<void> {
  const response = await apiClient(service).postJson('/api/password/forgot', { email });
  assert.equal(response.status, 202, response.text);
}

function uniqueEmail(): string {
  return `shared-${randomBytes(4).toString('hex')}@example.com`;
}

describe('two nodes share rate limits through Redis (S19)', {
  skip: process.env.TEST_REDIS_URL ? false : 'SKIPPED: TEST_REDIS_URL is not set',
}, () => {
  const nodes: TestService[] = [];
  before(async () => {
    const env = {
      ...LIMITS,
      REDIS_URL: process.env.TEST_REDIS_URL as string,
      REDIS_KEY_PREFIX: `lk-test-${randomBytes(4).toString('hex')}`,
    };
    const logs = [new LogCapture(), new LogCapture()];
    for (const log of logs) nodes.push(await startTestService({ ...env, LOG_LEVEL: 'info' }, {}, { logDestination: log }));
    // Both nodes count in Redis before the test starts (a first connection can time out under load).
    await Promise.all(logs.map((log) => log.waitFor(/shared through Redis|Redis is reachable again/, 20_000)));
  });
  after(() => Promise.all(nodes.map((n) => n.close())));

  it('a per-address limit holds across both nodes: 2 of 4 alternating requests pass', async () => {
    const [a, b] = nodes as [TestService, TestService];
    const email = uniqueEmail();
    for (const node of [a, b, a, b]) await forgot(node, email);
    assert.equal((await queuedRequests(a)) + (await queuedRequests(b)), 2);
  });
});

describe('Redis going away and coming back', () => {
  const redis = new OwnRedisServer();
  const logs = [new LogCapture(), new LogCapture()];
  const nodes: TestService[] = [];
  before(async () => {
    await redis.start();
    const env = { ...LIMITS, REDIS_URL: redis.url, LOG_LEVEL: 'info' };
    for (const log of logs) nodes.push(await startTestService(env, {}, { logDestination: log }));
    // On a loaded machine the first connection can time out: the node then starts on in-memory
    // limits and says so, and moves to Redis when it connects; either way it ends on Redis.
    await Promise.all(logs.map((log) => log.waitFor(/shared through Redis|Redis is reachable again/, 20_000)));
    // The test below waits for the lines of the outage it causes, not for these.
    for (const log of logs) log.lines.length = 0;
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await redis.stop();
  });

  it('keeps answering on in-memory limits with a warning, and shares limits again when Redis returns', async () => {
    const [a, b] = nodes as [TestService, TestService];
    const [logA] = logs as [LogCapture, LogCapture];
    const before = (await queuedRequests(a)) + (await queuedRequests(b));

    await redis.stop();
    const offline = uniqueEmail();
    const started = Date.now();
    for (const node of [a, a, a, b]) await forgot(node, offline);
    assert.ok(Date.now() - started < 5_000, 'answers promptly without Redis');
    await logA.waitFor(/Redis is unreachable: rate limits fall back to in-memory limits/);
    const warning = logA.entries.find((e) => /Redis is unreachable/.test(e.msg));
    assert.equal(warning?.level, 40, 'logged as a warning');
    // In memory each node counts alone: a passes 2 of its 3, b passes its 1.
    assert.equal((await queuedRequests(a)) + (await queuedRequests(b)) - before, 3);

    await redis.start();
    await Promise.all(logs.map((log) => log.waitFor(/Redis is reachable again/)));
    const shared = uniqueEmail();
    for (const node of [b, a, b, a]) await forgot(node, shared);
    assert.equal((await queuedRequests(a)) + (await queuedRequests(b)) - before, 3 + 2, 'shared again: 2 of 4 pass');
  });
});
