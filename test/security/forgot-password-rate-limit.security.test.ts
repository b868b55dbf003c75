import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { insertUser } from '../support/database.ts';
import { apiClient, eventually, headersWithoutDate } from '../support/flows.ts';

const EMAIL = 'ada@example.com';

describe('per-email forgot-password limit (S19): a flood never fills an inbox', () => {
  let service: TestService;
  before(async () => {
    // The per-IP limit is raised so that only the default per-email limit (5 an hour) is in play.
    service = await startTestService({ RATE_LIMIT_FORGOT_IP: '1000/3600' });
    // Made directly: a registration's welcome mail would take one of the inbox's 5 mails.
    await insertUser(service.deps.store, { id: newId(), email: EMAIL, nowMs: Date.now() });
  });
  after(() => service.close());

  it('sends at most 5 reset mails to one address in an hour, however the address is written, with identical responses', async () => {
    assert.deepEqual(service.config.rateLimits.forgotPerEmail, { points: 5, durationSeconds: 3600 });
    const api = apiClient(service);
    const spellings = [EMAIL, 'ADA@example.com', ' ada@EXAMPLE.com', 'Ada@Example.Com'];
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.postJson('/api/password/forgot', { email: spellings[i % spellings.length] })),
    );
    const first = responses[0]!;
    assert.equal(first.status, 202);
    for (const response of responses) {
      assert.equal(response.status, first.status);
      assert.deepEqual(headersWithoutDate(response), headersWithoutDate(first));
      assert.equal(response.text, first.text);
    }

    for (let i = 0; i < 5; i++) await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
    await eventually(async () => {
      const counts = await service.deps.store.outbox.countByStatus();
      return (counts.pending ?? 0) + (counts.sending ?? 0) + (counts.failed ?? 0) === 0 ? true : undefined;
    }, 'the courier to finish the queue');
    const resetMails = service.smtp.mailsTo(EMAIL).filter((m) => /Reset your password/.test(m.parsed.subject ?? ''));
    assert.equal(resetMails.length, 5);
    const tokens = await service.deps.store.db.selectFrom('tokens').select('id').where('purpose', '=', 'password-reset').execute();
    assert.equal(tokens.length, 5, 'and only 5 tokens exist');
  });
});
