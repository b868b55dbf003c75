import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestResponse } from '../support/client.ts';
import { insertUser } from '../support/database.ts';
import { apiClient, eventually } from '../support/flows.ts';
import { RestartableSmtpPeer } from '../support/restartable-smtp.ts';

const OUTAGE_MS = 60_000;
/** Requests sent while the peer is down (half forgot-password, half registrations), 16 at a time. */
const REQUESTS = 1_000;
const IN_FLIGHT = 16;
const KNOWN_USERS = 50;
const PASSWORD = 'smtp outage horse battery';

/** The service's clock, moved forward on demand: retries due later (5 s, 10 s, 20 s ...) become due now. */
class ShiftableClock {
  offsetMs = 0;
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
}

function answerOf(response: TestResponse): string {
  return `${response.status} ${response.text}`;
}

describe('the SMTP peer down for 60 s under 1,000 forgot-password and registration requests', () => {
  const peer = new RestartableSmtpPeer();
  const clock = new ShiftableClock();
  let service: TestService;
  before(async () => {
    await peer.start();
    service = await startTestService(
      {
        SMTP_URL: peer.url,
        RATE_LIMIT_FORGOT_IP: '100000/3600',
        RATE_LIMIT_FORGOT_EMAIL: '100000/3600',
        RATE_LIMIT_REGISTER_IP: '100000/3600',
        COURIER_POLL_MS: '200',
      },
      { clock },
    );
    for (let i = 0; i < KNOWN_USERS; i++) {
      await insertUser(service.deps.store, { id: newId(), email: `known-${i}@example.com`, nowMs: clock.nowMs() });
    }
  });
  after(async () => {
    await service?.close();
    await peer.stop();
  });

  it('answers as when SMTP is up, then delivers every queued mail exactly once when the peer is back', async () => {
    const api = apiClient(service);
    // Answers with the peer up, to compare with.
    const forgotUp = answerOf(await api.postJson('/api/password/forgot', { email: 'known-0@example.com' }));
    const registerUp = answerOf(await api.postJson('/api/register', { email: 'up@example.com', password: PASSWORD }));
    assert.match(forgotUp, /^202 /);
    assert.match(registerUp, /^202 /);
    await eventually(async () => (peer.deliveries.length === 2 ? true : undefined), 'the two mails sent while the peer is up');

    await peer.stop();
    const downSince = Date.now();
    const answers: Array<{ kind: 'forgot' | 'register'; answer: string }> = [];
    const registered: string[] = [];
    const forgotten = new Map<string, number>();
    const work = Array.from({ length: REQUESTS }, (_, n) => async () => {
      if (n % 2 === 0) {
        const email = `known-${n % KNOWN_USERS}@example.com`;
        forgotten.set(email, (forgotten.get(email) ?? 0) + 1);
        answers.push({ kind: 'forgot', answer: answerOf(await api.postJson('/api/password/forgot', { email })) });
      } else {
        const email = `new-${n}@example.com`;
        registered.push(email);
        answers.push({ kind: 'register', answer: answerOf(await api.postJson('/api/register', { email, password: PASSWORD })) });
      }
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < work.length) await work[next++]?.();
      }),
    );
    assert.equal(answers.length, REQUESTS);
    for (const { kind, answer } of answers)
      assert.equal(answer, kind === 'forgot' ? forgotUp : registerUp, `${kind} answered as with SMTP up`);
    assert.equal(peer.deliveries.length, 2, 'nothing was delivered while the peer was down');

    // The courier kept trying meanwhile: messages wait in the outbox, failed or pending, none dead.
    const during = await service.deps.store.outbox.countByStatus();
    assert.ok((during.failed ?? 0) > 0, `attempts failed while the peer was down: ${JSON.stringify(during)}`);
    assert.equal(during.dead ?? 0, 0);

    // The peer stays away for 60 s in all (longer if the requests took longer on a loaded machine).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - downSince))));
    await peer.start();
    // Retries are spaced 5 s, 10 s, 20 s, 40 s ... apart: rather than wait for the last of them,
    // the courier finishes what it holds, the service's clock moves an hour on, and it starts again.
    await service.deps.courier.stop();
    clock.offsetMs += 3_600_000;
    service.deps.courier.start();

    const expected = 2 + registered.length + answers.filter((a) => a.kind === 'forgot').length;
    // Under two minutes on an idle machine; the wait allows for a loaded one.
    const deadline = Date.now() + 180_000;
    while (peer.deliveries.length < expected) {
      if (Date.now() > deadline) {
        const counts = await service.deps.store.outbox.countByStatus();
        assert.fail(`${peer.deliveries.length} of ${expected} mails delivered; outbox ${JSON.stringify(counts)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Settled: every mail row sent, and a moment later still nothing more arrives.
    await eventually(async () => {
      const counts = await service.deps.store.outbox.countByStatus();
      return (counts.pending ?? 0) + (counts.sending ?? 0) + (counts.failed ?? 0) + (counts.dead ?? 0) === 0 ? true : undefined;
    }, 'the outbox to settle');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The reset-request jobs have all run: one mail row per registration and per known-address request.
    const mailRows = await service.deps.store.db.selectFrom('outbox').select(['id', 'status']).where('topic', '=', 'mail').execute();
    assert.equal(mailRows.length, expected, 'one mail queued per registration and per known-address request');

    // Exactly once, counted at the peer: by Message-ID (one per outbox row) and by recipient.
    const byMessageId = new Map<string, number>();
    for (const d of peer.deliveries) byMessageId.set(d.messageId ?? '', (byMessageId.get(d.messageId ?? '') ?? 0) + 1);
    const twice = [...byMessageId].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], 'no message delivered twice');
    const sentIds = new Set([...byMessageId.keys()].map((id) => /^<([^@>]+)@/.exec(id)?.[1]));
    const lost = mailRows.filter((row) => !sentIds.has(row.id));
    assert.deepEqual(lost, [], 'no queued mail lost');
    assert.equal(peer.deliveries.length, expected);
    for (const email of registered) assert.equal(peer.deliveriesTo(email).length, 1, `one welcome mail to ${email}`);
    for (const [email, requests] of forgotten) {
      const resets = peer.deliveriesTo(email).filter((d) => /reset/i.test(d.subject ?? ''));
      assert.equal(resets.length, requests + (email === 'known-0@example.com' ? 1 : 0), `one reset mail per request to ${email}`);
    }
  });
});
