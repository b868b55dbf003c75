import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Outbox } from '../../../src/courier/outbox.ts';
import { CourierWorker, type OutboxHandlers } from '../../../src/courier/worker.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { ManualClock } from '../../../src/kernel/clock.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { openTestDatabase, testKeyring } from '../../support/database.ts';

const NOW_MS = Date.UTC(2026, 0, 1);

// With better-sqlite3 a job never waits on I/O: lanes that started their messages in the same
// turn of the event loop would run them back to back while requests wait (courier/worker.ts).
describe('courier lanes on SQLite', () => {
  let database: DatabaseHandle;
  let store: Store;
  before(async () => {
    ({ database, store } = await openTestDatabase());
  });
  after(() => database.close());

  it('start at most one message per turn of the event loop, and all of them', async () => {
    const clock = new ManualClock(NOW_MS);
    const outbox = new Outbox(new SecretBox(testKeyring()), clock);
    const total = 25;
    for (let i = 0; i < total; i++) {
      await outbox.enqueue(store.outbox, 'password-reset-request', { emailCanonical: `u${i}@example.com`, ip: null, userAgent: null });
    }
    // Counts turns: one increment per check phase of the event loop while the courier drains.
    let turn = 0;
    let counting = true;
    const count = () => {
      turn++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const startedInTurn: number[] = [];
    const job = async () => {
      startedInTurn.push(turn);
    };
    const handlers: OutboxHandlers = {
      mail: job,
      'password-reset-request': job,
      'confirmation-resend-request': job,
      'username-reminder-request': job,
      'login-link-request': job,
      sms: job,
    };
    const worker = new CourierWorker(store.outbox, outbox, handlers, clock, pino({ level: 'silent' }), {
      pollMs: 10_000,
      maxAttempts: 3,
      concurrency: 10,
    });
    const handled = await worker.drain();
    counting = false;
    assert.equal(handled, total);
    assert.equal(startedInTurn.length, total);
    assert.equal(new Set(startedInTurn).size, total, `one message per turn (started in turns ${startedInTurn.join(', ')})`);
    assert.deepEqual(await store.outbox.countByStatus(), { sent: total });
  });
});
