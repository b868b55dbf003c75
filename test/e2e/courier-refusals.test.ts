import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { refusedForGood, SmtpChannel } from '../../src/courier/channels.ts';
import { backoffMs, PermanentDeliveryError } from '../../src/courier/worker.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import type { OutboxRecord } from '../../src/store/outbox-repository.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, eventually } from '../support/flows.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/**
 * A real SMTP peer that answers by recipient: `bounce@` is refused at RCPT with 550, `later@` at
 * RCPT with 451, `spam@` at DATA with 554; everyone else is accepted after `delayMs`. It counts
 * the connections open at once.
 */
class RefusingSmtpPeer {
  readonly accepted: string[] = [];
  open = 0;
  mostOpen = 0;
  delayMs = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect: (_session, callback) => {
      this.open++;
      this.mostOpen = Math.max(this.mostOpen, this.open);
      callback();
    },
    onClose: () => {
      this.open--;
    },
    onRcptTo: (address, _session, callback) => {
      if (address.address.startsWith('bounce@')) return callback(refusal('5.1.1 mailbox unavailable', 550));
      if (address.address.startsWith('later@')) return callback(refusal('4.2.1 mailbox busy, try later', 451));
      callback();
    },
    onData: (stream, session, callback) => {
      stream.resume();
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (to.some((a) => a.startsWith('spam@'))) return callback(refusal('5.7.1 message rejected as spam', 554));
        setTimeout(() => {
          this.accepted.push(...to);
          callback();
        }, this.delayMs);
      });
    },
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function refusal(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

const mail = (to: string, n = 0) => ({
  to,
  from: 'Latchkey <no-reply@latchkey.test>',
  subject: `Test ${n}`,
  text: 'hello',
  html: '<p>hello</p>',
  messageId: `<m${n}-${to}@latchkey.test>`,
});

describe('SmtpChannel against a real SMTP peer', () => {
  const peer = new RefusingSmtpPeer();
  let url: string;
  before(async () => {
    url = await peer.start();
  });
  after(() => peer.stop());

  it('keeps at most SMTP_MAX_CONNECTIONS connections and delivers every message through them', async () => {
    const channel = new SmtpChannel(url, { maxConnections: 3 });
    peer.delayMs = 30;
    peer.mostOpen = 0;
    try {
      await Promise.all(Array.from({ length: 24 }, (_, i) => channel.send(mail(`p${i}@example.com`, i))));
    } finally {
      peer.delayMs = 0;
      await channel.close();
    }
    assert.equal(new Set(peer.accepted.filter((a) => a.startsWith('p'))).size, 24);
    assert.equal(peer.mostOpen, 3, 'three connections in parallel, never more');
  });

  it('turns a 5xx refusal of the message (RCPT or DATA) into a PermanentDeliveryError; 4xx and connection errors stay retryable', async () => {
    const channel = new SmtpChannel(url, { maxConnections: 2 });
    try {
      await assert.rejects(channel.send(mail('bounce@example.com')), (error: Error) => {
        assert.ok(error instanceof PermanentDeliveryError);
        assert.match(error.message, /550 5\.1\.1 mailbox unavailable/);
        return true;
      });
      await assert.rejects(channel.send(mail('spam@example.com')), PermanentDeliveryError);
      await assert.rejects(channel.send(mail('later@example.com')), (error: Error) => {
        assert.ok(!(error instanceof PermanentDeliveryError), 'a 451 is tried again later');
        assert.match(error.message, /451/);
        return true;
      });
    } finally {
      await channel.close();
    }
    const nowhere = new SmtpChannel('smtp://127.0.0.1:1', { maxConnections: 1 });
    await assert.rejects(nowhere.send(mail('ada@example.com')), (error: Error) => !(error instanceof PermanentDeliveryError));
    await nowhere.close();
  });

  it('leaves authentication failures and 503 retryable (they are not about the message)', () => {
    const auth = Object.assign(new Error('Invalid login: 535 bad credentials'), { code: 'EAUTH', responseCode: 535 });
    const sequence = Object.assign(new Error('Data command failed: 503 bad sequence'), { code: 'EENVELOPE', responseCode: 503 });
    const refused = Object.assign(new Error('Message failed: 552 too big'), { code: 'EMESSAGE', responseCode: 552 });
    assert.equal(refusedForGood(auth), undefined);
    assert.equal(refusedForGood(sequence), undefined);
    assert.ok(refusedForGood(refused) instanceof PermanentDeliveryError);
  });
});

describe('the courier and a provider that refuses some messages', () => {
  const peer = new RefusingSmtpPeer();
  const clock = new ManualClock();
  let service: TestService;
  before(async () => {
    service = await startTestService({ SMTP_URL: await peer.start(), METRICS_TOKEN, COURIER_MAX_ATTEMPTS: '8' }, { clock });
  });
  after(async () => {
    await service.close();
    await peer.stop();
  });

  const rows = () => service.deps.store.db.selectFrom('outbox').selectAll().where('topic', '=', 'mail').execute();
  const waitForRow = (predicate: (row: OutboxRecord) => boolean, what: string) =>
    eventually(async () => (await rows()).find(predicate), what);
  const register = (email: string) => apiClient(service).postJson('/api/register', { email, password: 'correct horse battery' });

  it('marks a message refused with a 5xx dead at its first attempt, retries a 4xx with backoff, and shows both in /metrics', async () => {
    const queuedAt = clock.nowMs();
    assert.equal((await register('bounce@example.com')).status, 202);
    assert.equal((await register('later@example.com')).status, 202);
    assert.equal((await register('ada@example.com')).status, 202);

    const dead = await waitForRow((r) => r.status === 'dead', 'the bounced mail to be given up');
    assert.equal(dead.attempts, 1, 'no retry of a bounce');
    assert.equal(dead.payload, null);
    assert.match(dead.last_error ?? '', /550/);
    const failed = await waitForRow((r) => r.status === 'failed', 'the deferred mail to wait');
    assert.equal(failed.attempts, 1);
    assert.equal(failed.next_attempt_at, queuedAt + backoffMs(1));
    await waitForRow((r) => r.status === 'sent', 'the good mail to be sent');
    assert.ok(peer.accepted.includes('ada@example.com'));

    clock.advanceSeconds(30);
    const metrics = await new TestClient(service.url, { authorization: `Bearer ${METRICS_TOKEN}` }).get('/metrics');
    const text = metrics.text;
    assert.match(text, /^latchkey_outbox_oldest_queued_age_seconds 30$/m, 'the deferred mail has waited 30 s');
    assert.match(text, /latchkey_courier_attempts_total\{topic="mail",outcome="dead"\} 1/);
    assert.match(text, /latchkey_courier_attempts_total\{topic="mail",outcome="failed"\} 1/);
    assert.match(text, /latchkey_courier_send_duration_seconds_count\{topic="mail"\} 3/);
    assert.match(text, /latchkey_courier_send_duration_seconds_bucket\{le="0\.1",topic="mail"\} \d+/);

    clock.advanceSeconds(backoffMs(1) / 1000);
    service.deps.outbox.wake();
    const retried = await waitForRow((r) => r.id === failed.id && r.attempts === 2 && r.status !== 'sending', 'the second attempt');
    assert.equal(retried.status, 'failed', 'still deferred: a 4xx is retried until COURIER_MAX_ATTEMPTS');
  });
});
