import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { Outbox } from '../../../src/courier/outbox.ts';
import { REPEAT_LOG_MS, RunFailures } from '../../../src/courier/run-failures.ts';
import { CourierWorker, type OutboxHandlers } from '../../../src/courier/worker.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { systemClock } from '../../../src/kernel/clock.ts';
import type { DatabaseHandle } from '../../../src/store/database.ts';
import type { Store } from '../../../src/store/store.ts';
import { openTestDatabase, testKeyring } from '../../support/database.ts';
import { LogCapture } from '../../support/log-capture.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a courier whose runs keep failing', () => {
  let database: DatabaseHandle;
  let store: Store;
  before(async () => {
    ({ database, store } = await openTestDatabase());
  });
  after(() => database.close());

  it('logs the first failure with its stack, not one per poll, and says when it works again', async () => {
    const logs = new LogCapture();
    const clock = systemClock;
    const outbox = new Outbox(new SecretBox(testKeyring()), clock);
    const delivered: string[] = [];
    const job = async (payload: { emailCanonical?: string }) => {
      delivered.push(String(payload.emailCanonical));
    };
    const handlers = Object.fromEntries(
      ['mail', 'password-reset-request', 'confirmation-resend-request', 'username-reminder-request', 'login-link-request', 'sms'].map(
        (topic) => [topic, job],
      ),
    ) as unknown as OutboxHandlers;
    const worker = new CourierWorker(store.outbox, outbox, handlers, clock, pino({ level: 'info' }, logs), {
      pollMs: 5,
      maxAttempts: 3,
      concurrency: 2,
    });
    // Every claim fails for real while the table is away ("no such table: outbox").
    await sql`ALTER TABLE outbox RENAME TO outbox_away`.execute(database.db);
    worker.start();
    try {
      await sleep(300);
      const failures = logs.entries.filter((e) => e.msg.startsWith('courier: processing the outbox'));
      assert.equal(failures.length, 1, `one line for ~60 failed polls: ${failures.map((e) => e.msg).join(' | ')}`);
      assert.equal(failures[0]?.msg, 'courier: processing the outbox failed');
      assert.match(String((failures[0]?.err as { stack?: string } | undefined)?.stack), /no such table: outbox/);

      await sql`ALTER TABLE outbox_away RENAME TO outbox`.execute(database.db);
      await outbox.enqueue(store.outbox, 'password-reset-request', { emailCanonical: 'ada@example.com', ip: null, userAgent: null });
      await logs.waitFor(/^courier: processing the outbox works again$/, 5_000);
      const back = logs.entries.find((e) => e.msg === 'courier: processing the outbox works again');
      assert.ok(Number(back?.failedRuns) > 10, `counts the failed runs (${back?.failedRuns})`);
      assert.equal(back?.level, 30);
      for (let i = 0; i < 100 && delivered.length === 0; i++) await sleep(10);
      assert.deepEqual(delivered, ['ada@example.com']);
    } finally {
      await worker.stop();
    }
  });
});

describe('RunFailures', () => {
  it('repeats a minute later with the count and the SQLite code, and starts over after a success', () => {
    const logs = new LogCapture();
    let now = 0;
    const failures = new RunFailures(pino({ level: 'info' }, logs), undefined, () => now);
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    failures.failed(full);
    now = REPEAT_LOG_MS - 1;
    failures.failed(full);
    now = REPEAT_LOG_MS;
    failures.failed(full);
    failures.failed(full);
    assert.deepEqual(
      logs.entries.map((e) => [e.msg, e.cause, e.failedRuns]),
      [
        ['courier: processing the outbox failed', 'SQLITE_FULL', undefined],
        ['courier: processing the outbox still fails', 'SQLITE_FULL', 3],
      ],
    );
    failures.succeeded(0);
    failures.succeeded(0);
    failures.failed(new Error('connection refused'));
    assert.deepEqual(
      logs.entries.slice(2).map((e) => [e.msg, e.failedRuns]),
      [
        ['courier: processing the outbox works again', 4],
        ['courier: processing the outbox failed', undefined],
      ],
    );
  });
});
