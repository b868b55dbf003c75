import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { outboxSettled, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser } from '../support/flows.ts';

const PASSWORD = 'correct horse battery';
const ATTACKER = { 'x-forwarded-for': '198.51.100.7' };

/** Mails to `to` whose subject matches, among everything the SMTP peer received. */
function mailsMatching(service: TestService, to: string, subject: RegExp): number {
  return service.smtp.mailsTo(to).filter((m) => subject.test(m.parsed.subject ?? '')).length;
}

describe("a client over its own limit cannot spend someone else's mail budget (S19)", () => {
  let service: TestService;
  before(async () => {
    // TRUST_PROXY=loopback: X-Forwarded-For names the client, so the test can be several clients.
    service = await startTestService({ TRUST_PROXY: 'loopback', RATE_LIMIT_FORGOT_IP: '3/3600', USERNAMES: 'optional' });
    assert.deepEqual(service.config.rateLimits.forgotPerEmail, { points: 5, durationSeconds: 3600 });
    await registerUser(service, 'reset-victim@example.com', PASSWORD);
    await registerUnconfirmed(service, 'resend-victim@example.com', PASSWORD);
    await registerUnconfirmed(service, 'username-victim@example.com', PASSWORD, { username: 'victim' });
    // The attacker's own address budget is spent first, on addresses nobody uses.
    const attacker = apiClient(service, ATTACKER);
    for (let i = 0; i < 3; i++)
      assert.equal((await attacker.postJson('/api/password/forgot', { email: `nobody${i}@example.com` })).status, 202);
  });
  after(() => service.close());

  for (const [path, victim, subject, victimIp] of [
    ['/api/password/forgot', 'reset-victim@example.com', /^Reset your password$/, '203.0.113.1'],
    ['/api/confirm/resend', 'resend-victim@example.com', /^Confirm your email address$/, '203.0.113.2'],
    ['/api/username/forgot', 'username-victim@example.com', /^Your username$/, '203.0.113.3'],
  ] as const) {
    it(`${path}: 10 refused requests for the victim leave the victim's own request its mail`, async () => {
      const attacker = apiClient(service, ATTACKER);
      for (let i = 0; i < 10; i++) assert.equal((await attacker.postJson(path, { email: victim })).status, 202, 'the same answer as ever');
      const own = await apiClient(service, { 'x-forwarded-for': victimIp }).postJson(path, { email: victim });
      assert.equal(own.status, 202);
      await service.smtp.waitForMail(victim, { subject });
      await outboxSettled(service);
      assert.equal(mailsMatching(service, victim, subject), 1, "only the victim's own request sent a mail");
    });
  }
});

describe('"you already have an account" mails spend the inbox\'s budget (S19)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ TRUST_PROXY: 'loopback' });
    await registerUser(service, 'ada@example.com', PASSWORD);
  });
  after(() => service.close());

  it('10 registrations of a known address from 10 clients send at most the budget, which forgot-password shares', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await apiClient(service, { 'x-forwarded-for': `198.51.100.${i}` }).postJson('/api/register', {
        email: 'ada@example.com',
        password: PASSWORD,
      });
      assert.equal(response.status, 202);
    }
    await outboxSettled(service);
    // The welcome mail took one of the 5 mails an hour; the flood got the other 4.
    assert.equal(mailsMatching(service, 'ada@example.com', /^You already have an account$/), 4);
    assert.equal(service.smtp.mailsTo('ada@example.com').length, 5);

    assert.equal(
      (await apiClient(service, { 'x-forwarded-for': '203.0.113.9' }).postJson('/api/password/forgot', { email: 'ada@example.com' }))
        .status,
      202,
    );
    await outboxSettled(service);
    assert.equal(mailsMatching(service, 'ada@example.com', /^Reset your password$/), 0, 'the budget is one for every mail to the inbox');
    const audited = await service.deps.store.db
      .selectFrom('audit_events')
      .select('id')
      .where('type', '=', 'registration.duplicate')
      .execute();
    assert.equal(audited.length, 10, 'every attempt is still recorded');
  });
});
