import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import pino from 'pino';
import { Outbox } from '../../src/courier/outbox.ts';
import { backoffMs, CourierWorker, type OutboxHandlers, PermanentDeliveryError } from '../../src/courier/worker.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { Store } from '../../src/store/store.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { NOW_MS } from './support/fixtures.ts';

const LEASE_MS = 60_000;
const silent = pino({ level: 'silent' });

/** Handlers for every topic; `mail` is the one under test. */
function mailHandlers(mail: OutboxHandlers['mail']): OutboxHandlers {
  return {
    mail,
    'password-reset-request': async () => {},
    'confirmation-resend-request': async () => {},
    'username-reminder-request': async () => {},
    'login-link-request': async () => {},
    sms: async () => {},
  };
}

const testOutbox = (clock: ManualClock) => new Outbox(new SecretBox(new Keyring(['contract-test-key-0123456789abcdef0123'])), clock);

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

  it('claims oldest due first: by next_attempt_at, then created_at, and returns them in that order', async () => {
    const { store } = database();
    await clearQueue(store);
    const c = await enqueue(store, NOW_MS - 1_000); // queued last of the three but due first
    const a = await enqueue(store, NOW_MS - 3_000);
    const b = await enqueue(store, NOW_MS - 2_000);
    await store.db
      .updateTable('outbox')
      .set({ next_attempt_at: NOW_MS - 9_000 })
      .where('id', '=', c)
      .execute();
    await store.db
      .updateTable('outbox')
      .set({ next_attempt_at: NOW_MS - 5_000 })
      .where('id', 'in', [a, b])
      .execute();
    const later = await enqueue(store, NOW_MS - 10_000);
    await store.db
      .updateTable('outbox')
      .set({ next_attempt_at: NOW_MS - 4_000 })
      .where('id', '=', later)
      .execute();
    assert.deepEqual(
      (await store.outbox.claimDue(NOW_MS, LEASE_MS, 3)).map((r) => r.id),
      [c, a, b],
      'due order, created_at breaking the tie; the fourth waits for the next claim',
    );
    assert.deepEqual(
      (await store.outbox.claimDue(NOW_MS, LEASE_MS, 3)).map((r) => r.id),
      [later],
    );
  });

  it('reports the age of the oldest unfinished message (0 when none waits)', async () => {
    const { store } = database();
    await clearQueue(store);
    assert.equal(await store.outbox.oldestQueuedAgeSeconds(NOW_MS), 0);
    const old = await enqueue(store, NOW_MS - 90_000);
    await enqueue(store, NOW_MS - 30_000);
    assert.equal(await store.outbox.oldestQueuedAgeSeconds(NOW_MS), 90);
    await store.outbox.claimDue(NOW_MS, LEASE_MS, 1);
    assert.equal(await store.outbox.oldestQueuedAgeSeconds(NOW_MS), 90, 'a message being sent still waits');
    await store.outbox.markSent(old, NOW_MS);
    assert.equal(await store.outbox.oldestQueuedAgeSeconds(NOW_MS), 30);
  });

  it('parallel courier workers with concurrency, on separate connection pools, handle every message exactly once', async () => {
    const db = database();
    await clearQueue(db.store);
    const clock = new ManualClock(NOW_MS);
    const outbox = testOutbox(clock);
    const total = 300;
    for (let i = 0; i < total; i++) {
      await outbox.enqueue(db.store.outbox, 'mail', {
        template: 'password-changed',
        to: `u${i}@example.com`,
        data: { name: null, changedAtMs: NOW_MS },
      });
    }
    const sent: string[] = [];
    const messageIds = new Set<string>();
    const inFlight = [0, 0, 0, 0];
    const mostInFlight = [0, 0, 0, 0];
    const workers = Array.from({ length: 4 }, (_, n) => {
      const store = new Store(db.open(4).db, db.handle.capabilities);
      const handlers = mailHandlers(async (message, meta) => {
        inFlight[n] = (inFlight[n] ?? 0) + 1;
        mostInFlight[n] = Math.max(mostInFlight[n] ?? 0, inFlight[n] ?? 0);
        sent.push(message.to);
        messageIds.add(meta.messageId);
        // Long enough for the lanes, which start one message per turn of the event loop, to
        // fill up while the others still send (several ms on SQLite, where the four workers'
        // statements and their busy waits all run on this thread).
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 5));
        inFlight[n] = (inFlight[n] ?? 0) - 1;
      });
      return new CourierWorker(store.outbox, outbox, handlers, clock, silent, {
        pollMs: 50,
        maxAttempts: 3,
        batchSize: 7 + n,
        concurrency: 6,
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
    assert.ok(
      mostInFlight.every((n) => n <= 6),
      `no worker ran more than its concurrency of 6 at once (${mostInFlight.join(', ')})`,
    );
    assert.equal(Math.max(...mostInFlight), 6, 'a worker ran six messages at once');
  });

  it('a stopping worker finishes the messages in hand and gives the rest of its claims back', async () => {
    const db = database();
    await clearQueue(db.store);
    const clock = new ManualClock(NOW_MS);
    const outbox = testOutbox(clock);
    for (let i = 0; i < 8; i++) {
      await outbox.enqueue(db.store.outbox, 'mail', {
        template: 'password-changed',
        to: `s${i}@example.com`,
        data: { name: null, changedAtMs: NOW_MS },
      });
    }
    const releases: Array<() => void> = [];
    let threeStarted: () => void = () => {};
    const inHand = new Promise<void>((resolve) => (threeStarted = resolve));
    const sent: string[] = [];
    const worker = new CourierWorker(
      db.store.outbox,
      outbox,
      mailHandlers(async (message) => {
        await new Promise<void>((resolve) => {
          releases.push(resolve);
          if (releases.length === 3) threeStarted();
        });
        sent.push(message.to);
      }),
      clock,
      silent,
      { pollMs: 10_000, maxAttempts: 3, batchSize: 8, concurrency: 3 },
    );
    const draining = worker.drain();
    await inHand;
    const stopped = worker.stop();
    for (const release of releases) release();
    await stopped;
    assert.equal(await draining, 3);
    assert.equal(releases.length, 3, 'no message started after stop()');
    assert.equal(sent.length, 3, 'the messages in hand were finished');
    assert.deepEqual(await db.store.outbox.countByStatus(), { sent: 3, pending: 5 });
    const again = await db.store.outbox.claimDue(NOW_MS, LEASE_MS, 10);
    assert.equal(again.length, 5, 'released messages are due at once for any worker');
    assert.ok(again.every((m) => m.attempts === 1));
  });

  it('sends no more than its concurrency at once; each failure keeps its own backoff, a permanent refusal is dead at once', async () => {
    const db = database();
    await clearQueue(db.store);
    const clock = new ManualClock(NOW_MS);
    const outbox = testOutbox(clock);
    for (let i = 0; i < 30; i++) {
      await outbox.enqueue(db.store.outbox, 'mail', {
        template: 'password-changed',
        to: i === 4 ? 'flaky@example.com' : i === 9 ? 'bounce@example.com' : `c${i}@example.com`,
        data: { name: null, changedAtMs: NOW_MS },
      });
    }
    let inFlight = 0;
    let mostInFlight = 0;
    const outcomes: string[] = [];
    const worker = new CourierWorker(
      db.store.outbox,
      outbox,
      mailHandlers(async (message) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        if (message.to === 'flaky@example.com') throw new Error('451 try later');
        if (message.to === 'bounce@example.com') throw new PermanentDeliveryError('550 no such mailbox');
      }),
      clock,
      silent,
      { pollMs: 10_000, maxAttempts: 8, concurrency: 4, onOutcome: (outcome) => outcomes.push(outcome) },
    );
    assert.equal(await worker.drain(), 30);
    assert.equal(mostInFlight, 4, 'four lanes, all busy at some point');
    assert.equal(outcomes.filter((o) => o === 'sent').length, 28);
    const rows = await db.store.db.selectFrom('outbox').selectAll().where('status', '!=', 'sent').execute();
    assert.deepEqual(rows.map((r) => [r.status, r.attempts, r.next_attempt_at - NOW_MS]).sort(), [
      ['dead', 1, 0],
      ['failed', 1, backoffMs(1)],
    ]);
  });
});
