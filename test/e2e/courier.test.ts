import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backoffMs } from '../../src/courier/worker.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import type { OutboxRecord } from '../../src/store/outbox-repository.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, eventually } from '../support/flows.ts';

describe('backoffMs', () => {
  it('doubles from 5 seconds and stops at one hour', () => {
    assert.deepEqual([1, 2, 3, 4].map(backoffMs), [5_000, 10_000, 20_000, 40_000]);
    assert.equal(backoffMs(0), 5_000);
    assert.equal(backoffMs(11), 3_600_000);
    assert.equal(backoffMs(50), 3_600_000);
  });
});

describe('the courier with a real SMTP server that goes down and comes back', () => {
  let service: TestService;
  const clock = new ManualClock();
  before(async () => {
    service = await startTestService({ COURIER_MAX_ATTEMPTS: '3' }, { clock });
  });
  after(() => service.close());

  const rows = () => service.deps.store.db.selectFrom('outbox').selectAll().execute();
  const rowFor = async (id: string): Promise<OutboxRecord | undefined> => (await rows()).find((r) => r.id === id);
  const waitForRow = (predicate: (row: OutboxRecord) => boolean, what: string) =>
    eventually(async () => (await rows()).find(predicate), what);

  it('keeps the request fast and the message queued while SMTP refuses, then retries after the backoff', async () => {
    service.smtp.failWith = 'mailbox temporarily unavailable';
    const started = clock.nowMs();
    const response = await apiClient(service).postJson('/api/register', { email: 'ada@example.com', password: 'correct horse battery' });
    assert.equal(response.status, 202, 'an SMTP outage never fails a request');

    const failed = await waitForRow((r) => r.status === 'failed', 'the first attempt to fail');
    assert.equal(failed.attempts, 1);
    assert.match(failed.last_error ?? '', /mailbox temporarily unavailable/);
    assert.equal(failed.next_attempt_at, started + backoffMs(1));
    assert.match(failed.payload ?? '', /^v1\./, 'still sealed while waiting');

    await new Promise((resolve) => setTimeout(resolve, 500)); // several poll intervals
    const waiting = await rowFor(failed.id);
    assert.equal(waiting?.status, 'failed');
    assert.equal(waiting?.attempts, 1, 'not retried before its time');
    assert.equal(service.smtp.mails.length, 0);

    service.smtp.failWith = undefined;
    clock.advanceSeconds(backoffMs(1) / 1000);
    const mail = await service.smtp.waitForMail('ada@example.com', { subject: /Welcome/ });
    assert.ok(mail);
    const sent = await waitForRow((r) => r.id === failed.id && r.status === 'sent', 'the message to be marked sent');
    assert.equal(sent.attempts, 2);
    assert.equal(sent.payload, null, 'payload dropped once sent');
    assert.equal(sent.last_error, null);
    assert.equal(sent.finished_at, clock.nowMs());
    assert.equal(service.smtp.mailsTo('ada@example.com').length, 1, 'sent exactly once');
  });

  it('waits longer after each failure and gives up after COURIER_MAX_ATTEMPTS, dropping the payload', async () => {
    service.smtp.failWith = 'mailbox permanently broken';
    assert.equal((await apiClient(service).postJson('/api/password/forgot', { email: 'ada@example.com' })).status, 202);
    const first = await waitForRow((r) => r.topic === 'mail' && r.status === 'failed', 'the reset mail to fail once');
    assert.equal(first.next_attempt_at - clock.nowMs(), backoffMs(1));

    clock.advanceSeconds(backoffMs(1) / 1000);
    const second = await waitForRow((r) => r.id === first.id && r.status === 'failed' && r.attempts === 2, 'the second attempt');
    assert.equal(second.next_attempt_at - clock.nowMs(), backoffMs(2));

    clock.advanceSeconds(backoffMs(2) / 1000);
    const dead = await waitForRow((r) => r.id === first.id && r.status === 'dead', 'the message to be given up');
    assert.equal(dead.attempts, 3);
    assert.equal(dead.payload, null, 'a dead message keeps no secret');
    assert.match(dead.last_error ?? '', /mailbox permanently broken/);
    assert.equal(dead.finished_at, clock.nowMs());
    service.smtp.failWith = undefined;
  });
});
