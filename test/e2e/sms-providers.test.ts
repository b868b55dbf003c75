import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backoffMs } from '../../src/courier/worker.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import type { OutboxRecord } from '../../src/store/outbox-repository.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { eventually } from '../support/flows.ts';
import { LogCapture } from '../support/log-capture.ts';
import { TestSmsServer } from '../support/sms-server.ts';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TWILIO_TOKEN = 'twilio-auth-token-0123';
const WEBHOOK_TOKEN = 'webhook-bearer-token-0123';

/**
 * The real courier delivering queued `sms` outbox messages to a real local HTTP server, in each
 * provider format, with a manual clock so retries happen when the test says.
 */
function providerSuite(
  name: string,
  env: (baseUrl: string) => Record<string, string>,
  assertRequest: (request: TestSmsServer['received'][number]) => void,
) {
  describe(`SMS through ${name}`, () => {
    const provider = new TestSmsServer();
    const clock = new ManualClock();
    const logs = new LogCapture();
    let service: TestService;
    before(async () => {
      const baseUrl = await provider.start();
      service = await startTestService(
        { ...env(baseUrl), COURIER_MAX_ATTEMPTS: '4', LOG_LEVEL: 'debug' },
        { clock },
        { logDestination: logs },
      );
    });
    after(async () => {
      await service.close();
      await provider.stop();
    });

    const rows = () => service.deps.store.db.selectFrom('outbox').selectAll().where('topic', '=', 'sms').execute();
    const waitForRow = (predicate: (row: OutboxRecord) => boolean, what: string) =>
      eventually(async () => (await rows()).find(predicate), what);
    const queue = async (to: string, code: string) => {
      const earlier = new Set((await rows()).map((r) => r.id));
      const sent = await service.deps.store.transaction((tx) => service.deps.smsSender.sendCode(tx, { userId: `user-${to}`, to, code }));
      assert.equal(sent.ok, true);
      service.deps.outbox.wake();
      return (await rows()).find((r) => !earlier.has(r.id)) as OutboxRecord;
    };

    it('delivers a queued SMS in the provider’s format', async () => {
      assert.equal(service.deps.smsAvailable, true);
      const row = await queue('+33612345678', '314159');
      const request = await provider.waitFor('+33612345678');
      assert.equal(request.method, 'POST');
      assert.equal(request.body, `314159 is your Latchkey code.\n\n@${service.config.publicUrl.hostname} #314159`);
      assertRequest(request);
      const sent = await waitForRow((r) => r.id === row.id && r.status === 'sent', 'the SMS to be marked sent');
      assert.equal(sent.attempts, 1);
      assert.equal(sent.payload, null, 'payload dropped once sent');
    });

    it('gives up at once on a 4xx refusal: the provider will refuse it again', async () => {
      provider.status = 400;
      const before = provider.attempts;
      const row = await queue('+33612345601', '271828');
      const dead = await waitForRow((r) => r.id === row.id && r.status === 'dead', 'the refused SMS to be dead');
      assert.equal(dead.attempts, 1);
      assert.equal(dead.payload, null);
      assert.match(dead.last_error ?? '', /answered 400 \(code 21211\)$/);
      assert.doesNotMatch(dead.last_error ?? '', /echoes|\+33|271828/, 'the provider’s text is not kept');
      clock.advanceSeconds(backoffMs(4) / 1000);
      service.deps.outbox.wake();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(provider.attempts - before, 1, 'not tried again');
      provider.status = 201;
    });

    it('retries a 5xx with the courier’s backoff until the provider takes it', async () => {
      provider.status = 503;
      const row = await queue('+33612345602', '161803');
      const failed = await waitForRow((r) => r.id === row.id && r.status === 'failed', 'the first attempt to fail');
      assert.equal(failed.attempts, 1);
      assert.match(failed.last_error ?? '', /answered 503/);
      assert.equal(failed.next_attempt_at, clock.nowMs() + backoffMs(1));
      provider.status = 201;
      clock.advanceSeconds(backoffMs(1) / 1000);
      service.deps.outbox.wake();
      const sent = await waitForRow((r) => r.id === row.id && r.status === 'sent', 'the retry to succeed');
      assert.equal(sent.attempts, 2);
      assert.equal(provider.to('+33612345602').length, 2, 'one refused request, one accepted');
    });

    it('logs the recipient as country and last two digits, never the number, the body or the code', async () => {
      await logs.waitFor(/sms handed to the provider/);
      const handed = logs.entries.filter((e) => e.msg === 'sms handed to the provider');
      assert.ok(handed.some((e) => e.to === 'FR …78'));
      const all = logs.lines.join('\n');
      for (const secret of [
        '314159',
        '271828',
        '161803',
        '+33612345678',
        '33612345602',
        'is your Latchkey code',
        TWILIO_TOKEN,
        WEBHOOK_TOKEN,
      ]) {
        assert.ok(!all.includes(secret), `"${secret}" is in the logs`);
      }
    });
  });
}

providerSuite(
  'the generic JSON webhook',
  (baseUrl) => ({ SMS_URL: `${baseUrl}/hooks/sms?tenant=7`, SMS_TOKEN: WEBHOOK_TOKEN }),
  (request) => {
    assert.equal(request.path, '/hooks/sms?tenant=7');
    assert.equal(request.contentType, 'application/json');
    assert.equal(request.authorization, `Bearer ${WEBHOOK_TOKEN}`);
    assert.deepEqual(Object.keys(request.fields).sort(), ['body', 'to']);
    assert.equal(request.fields.to, '+33612345678');
  },
);

providerSuite(
  'the Twilio Messages API format',
  (baseUrl) => ({ SMS_URL: `twilio://${SID}:${TWILIO_TOKEN}@+15005550006`, TWILIO_API_BASE_URL: baseUrl }),
  (request) => {
    assert.equal(request.path, `/2010-04-01/Accounts/${SID}/Messages.json`);
    assert.equal(request.contentType, 'application/x-www-form-urlencoded');
    assert.equal(request.authorization, `Basic ${Buffer.from(`${SID}:${TWILIO_TOKEN}`).toString('base64')}`);
    assert.deepEqual(request.fields, { To: '+33612345678', Body: request.body, From: '+15005550006' });
  },
);

describe('the generic webhook without SMS_TOKEN', () => {
  const provider = new TestSmsServer();
  let service: TestService;
  before(async () => {
    service = await startTestService({ SMS_URL: `${await provider.start()}/send` });
  });
  after(async () => {
    await service.close();
    await provider.stop();
  });

  it('sends no Authorization header', async () => {
    await service.deps.smsSender.sendCode(service.deps.store, { userId: 'u', to: '+14155552671', code: '123456' });
    service.deps.outbox.wake();
    const request = await provider.waitFor('+14155552671');
    assert.equal(request.authorization, undefined);
  });
});
