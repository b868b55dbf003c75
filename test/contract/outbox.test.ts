import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import pino from 'pino';
import { Outbox } from '../../src/courier/outbox.ts';
import { CourierWorker, type OutboxHandlers } from '../../src/courier/worker.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { Store } from '../../src/store/store.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { NOW_MS } from './support/fixtures.ts';

const LEASE_MS = 60_000;
const silent = pino({ level: 'silent' });

describeEachDatabase('outbox store contract', (database) => {
  async function enqueue(store: Store, nowMs = NOW_MS): Promise<string> {
    const id = randomUUID();
    await store.outbox.enqueue({ id, topic: 'mail', sealedPayload: 'sealed', nowMs });
    return id;
  }

  async function clearQueue(store: Store): Promise<void> {
    await store.db.deleteFrom('outbox').execute();
  }

  it('claims a due message once per lease and again after the lease ran out (a crashed worker)', async () => {
    const { store } = database();
    await clearQueue(store);
    const id = await enqueue(store);
    assert.equal((await store.outbox.claimDue(NOW_MS - 1, LEASE_MS, 10)).length, 0, 'not due before next_attempt_at');
    const [claimed] = await store.outbox.claimDue(NOW_MS, LEASE_MS, 10);
    assert.equal(claimed?.id, id);
    assert.equal(claimed?.status, 'sending');
    assert.equal(claimed?.attempts, 1);
    assert.equal(claimed?.locked_until, NOW_MS + LEASE_MS);
    assert.equal(claimed?.payload, 'sealed');
    assert.equal((await store.outbox.claimDue(NOW_MS + LEASE_MS, LEASE_MS, 10)).length, 0, 'held while the lease runs');
    const [reclaimed] = await store.outbox.claimDue(NOW_MS + LEASE_MS + 1, LEASE_MS, 10);
    assert.equal(reclaimed?.id, id);
    assert.equal(reclaimed?.attempts, 2);
  });

  it('marks sent (payload dropped), failed (retried later) and dead; counts the queue', async () => {
    const { store } = database();
    await clearQueue(store);
    const [a, b, c] = [await enqueue(store), await enqueue(store), await enqueue(store)];
    assert.equal(await store.outbox.countQueued(), 3);
    assert.equal((await store.outbox.claimDue(NOW_MS, LEASE_MS, 10)).length, 3);
    await store.outbox.markSent(a, NOW_MS + 1);
    await store.outbox.markFailed(b, 'x'.repeat(2000), NOW_MS + 5_000);
    await store.outbox.markDead(c, 'gave up', NOW_MS + 2);
    const rows = Object.fromEntries((await store.db.selectFrom('outbox').selectAll().execute()).map((r) => [r.id, r]));
    assert.equal(rows[a]?.status, 'sent');
    assert.equal(rows[a]?.payload, null);
    assert.equal(rows[a]?.finished_at, NOW_MS + 1);
    assert.equal(rows[b]?.status, 'failed');
    assert.equal(rows[b]?.last_error?.length, 1000);
    assert.equal(rows[b]?.payload, 'sealed');
    assert.equal(rows[c]?.status, 'dead');
    assert.equal(rows[c]?.payload, null);
    assert.deepEqual(await store.outbox.countByStatus(), { sent: 1, failed: 1, dead: 1 });
    assert.equal(await store.outbox.countQueued(), 1);
    assert.equal((await store.outbox.claimDue(NOW_MS + 4_999, LEASE_MS, 10)).length, 0);
    assert.deepEqual(
      (await store.outbox.claimDue(NOW_MS + 5_000, LEASE_MS, 10)).map((r) => r.id),
      [b],
    );
  });

  it('gives a claimed message back on release, due at once and without counting the attempt', async () => {
    const { store } = database();
    await clearQueue(store);
    const id = await enqueue(store);
    await store.outbox.claimDue(NOW_MS, LEASE_MS, 10);
    await store.outbox.releaseClaim(id, NOW_MS + 1);
    const [again] = await store.outbox.claimDue(NOW_MS + 1, LEASE_MS, 10);
    assert.equal(again?.id, id);
    assert.equal(again?.attempts, 1);
  });

  it('enqueues inside a transaction: rolled back with it', async () => {
    const { store } = database();
    await clearQueue(store);
    await assert.rejects(
      store.transaction(async (tx) => {
        await enqueue(tx);
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(await store.outbox.countQueued(), 0);
  });

  it('parallel courier workers on separate connection pools send every message exactly once', async () => {
    const db = database();
    await clearQueue(db.store);
    const clock = new ManualClock(NOW_MS);
    const outbox = new Outbox(new SecretBox(new Keyring(['contract-test-key-0123456789abcdef0123'])), clock);
    const total = 120;
    for (let i = 0; i < total; i++) {
      await outbox.enqueue(db.store.outbox, 'mail', {
        template: 'password-changed',
        to: `u${i}@example.com`,
        data: { name: null, changedAtMs: NOW_MS },
      });
    }
    const sent: string[] = [];
    const messageIds = new Set<string>();
    const workers = Array.from({ length: 4 }, () => {
      const store = new Store(db.open(4).db, db.handle.capabilities);
      const handlers = {
        mail: async (message, meta) => {
          sent.push(message.to);
          messageIds.add(meta.messageId);
          await new Promise((resolve) => setImmediate(resolve));
        },
        'password-reset-request': async () => {},
        'confirmation-resend-request': async () => {},
        'username-reminder-request': async () => {},
        'login-link-request': async () => {},
        sms: async () => {},
      } satisfies OutboxHandlers;
      return new CourierWorker(store.outbox, outbox, handlers, clock, silent, {
        pollMs: 50,
        maxAttempts: 3,
        batchSize: 7,
        messageIdDomain: 'latchkey.test',
      });
    });
    const handled = await Promise.all(workers.map((w) => w.drain()));
    assert.equal(
      handled.reduce((a, b) => a + b, 0),
      total,
    );
    assert.equal(sent.length, total, 'no message sent twice, none lost');
    assert.equal(new Set(sent).size, total);
    assert.equal(messageIds.size, total);
    for (const id of messageIds) assert.match(id, /^<[0-9a-f-]{36}@latchkey\.test>$/);
    assert.deepEqual(await db.store.outbox.countByStatus(), { sent: total });
  });

  it('a stopping worker finishes the message in hand and gives the rest of its batch back', async () => {
    const db = database();
    await clearQueue(db.store);
    const clock = new ManualClock(NOW_MS);
    const outbox = new Outbox(new SecretBox(new Keyring(['contract-test-key-0123456789abcdef0123'])), clock);
    for (let i = 0; i < 5; i++) {
      await outbox.enqueue(db.store.outbox, 'mail', {
        template: 'password-changed',
        to: `s${i}@example.com`,
        data: { name: null, changedAtMs: NOW_MS },
      });
    }
    let release: () => void = () => {};
    let started: () => void = () => {};
    const inHand = new Promise<void>((resolve) => (started = resolve));
    const sent: string[] = [];
    const worker = new CourierWorker(
      db.store.outbox,
      outbox,
      {
        mail: async (message) => {
          started();
          await new Promise<void>((resolve) => (release = resolve));
          sent.push(message.to);
        },
        'password-reset-request': async () => {},
        'confirmation-resend-request': async () => {},
        'username-reminder-request': async () => {},
        'login-link-request': async () => {},
        sms: async () => {},
      },
      clock,
      silent,
      { pollMs: 10_000, maxAttempts: 3, batchSize: 5 },
    );
    worker.start();
    await inHand;
    const stopped = worker.stop();
    release();
    await stopped;
    assert.equal(sent.length, 1, 'the message in hand was finished');
    assert.deepEqual(await db.store.outbox.countByStatus(), { sent: 1, pending: 4 });
    const again = await db.store.outbox.claimDue(NOW_MS, LEASE_MS, 10);
    assert.equal(again.length, 4, 'released messages are due at once for any worker');
    assert.ok(again.every((m) => m.attempts === 1));
  });
});
