import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { runCleanup } from '../../src/maintenance/cleanup.ts';
import { Store } from '../../src/store/store.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUser, NOW_MS, randomDigest } from './support/fixtures.ts';

describeEachDatabase('cleanup store contract', (database) => {
  it('purges old tokens, sessions, finished mail and expired OIDC rows, and is safe to run from several nodes at once', async () => {
    const db = database();
    const user = await createUser(db.store);
    const old = NOW_MS - 10 * 86_400_000;
    for (let i = 0; i < 40; i++) {
      await db.store.tokens.create({
        id: randomUUID(),
        purpose: 'password-reset',
        digest: randomDigest(),
        userId: user.id,
        nowMs: old,
        expiresAtMs: old + 1,
        requestedIp: null,
      });
      await db.store.sessions.create({
        id: randomUUID(),
        digest: randomDigest(),
        userId: user.id,
        nowMs: old,
        expiresAtMs: old + 1,
        ip: null,
        userAgent: null,
      });
      const id = randomUUID();
      await db.store.outbox.enqueue({ id, topic: 'mail', sealedPayload: 'x', nowMs: old });
      await db.store.outbox.markSent(id, old);
      await db.store.oidc.upsert({
        key: randomDigest(),
        model: 'AccessToken',
        grant_id: null,
        user_id: user.id,
        client_id: null,
        uid_digest: null,
        user_code_digest: null,
        payload: 'v1.sealed',
        consumed_at: null,
        expires_at: NOW_MS - 1,
      });
    }
    await db.store.tokens.create({
      id: randomUUID(),
      purpose: 'password-reset',
      digest: randomDigest(),
      userId: user.id,
      nowMs: NOW_MS,
      expiresAtMs: NOW_MS + 1,
      requestedIp: null,
    });
    const clock = new ManualClock(NOW_MS);
    const options = { tokenRetentionSeconds: 86_400, outboxRetentionSeconds: 86_400, batchSize: 7 };
    const nodes = [db.store, new Store(db.open(3).db, db.handle.capabilities), new Store(db.open(3).db, db.handle.capabilities)];
    const results = await Promise.all(nodes.map((store) => runCleanup(store, clock, options)));
    const sum = (table: 'tokens' | 'sessions' | 'outbox' | 'oidc') => results.reduce((n, r) => n + r[table], 0);
    assert.equal(sum('tokens'), 40);
    assert.equal(sum('sessions'), 40);
    assert.equal(sum('outbox'), 40);
    assert.equal(sum('oidc'), 40);
    assert.equal(await db.store.cleanup.count('tokens', NOW_MS + 2), 1, 'the recent token is kept until its own retention passes');
    assert.equal(await db.store.sessions.countForUser(user.id, 0), 0);
  });
});
