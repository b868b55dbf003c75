import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser } from '../support/flows.ts';
import type { ReceivedMail } from '../support/smtp.ts';

const PASSWORD = 'correct horse battery';
// What anyone can type into the registration form's name field for someone else's address.
const NAME = 'Claim your prize at https://evil.example';

function assertNoTypedName(mail: ReceivedMail): void {
  const what = `"${mail.parsed.subject}"`;
  for (const part of [mail.parsed.text ?? '', mail.parsed.html ?? '']) {
    assert.ok(!part.includes('evil.example'), `${what} does not carry the typed name`);
  }
  assert.match(mail.parsed.text ?? '', /^Hello,\n/, `${what} greets nobody by name`);
}

describe('nobody can put words into a mail to an address that is not confirmed', () => {
  let service: TestService;
  before(async () => {
    // Generous mail budget: one address gets every kind of mail here; the budget has its own tests.
    service = await startTestService({ USERNAMES: 'optional', RATE_LIMIT_FORGOT_EMAIL: '100/3600' });
  });
  after(() => service.close());

  it('registration, resend, reset, username and "already have an account" mails leave the typed name out', async () => {
    const victim = 'victim@example.com';
    await registerUnconfirmed(service, victim, PASSWORD, { name: NAME, username: 'victim_name' });
    assertNoTypedName(service.smtp.mailsTo(victim)[0]!);
    const api = apiClient(service);
    for (const [path, body, subject] of [
      ['/api/confirm/resend', { email: victim }, /^Confirm your email address$/],
      ['/api/password/forgot', { email: victim }, /^Reset your password$/],
      ['/api/username/forgot', { email: victim }, /^Your username$/],
      ['/api/register', { email: victim, password: PASSWORD, name: NAME }, /^You already have an account$/],
    ] as const) {
      assert.equal((await api.postJson(path, body)).status, 202, path);
      assertNoTypedName(await service.smtp.waitForMail(victim, { subject }));
    }
  });

  it('a confirmed account is still greeted by its name', async () => {
    await registerUser(service, 'ada@example.com', PASSWORD, 'Ada');
    assert.equal((await apiClient(service).postJson('/api/password/forgot', { email: 'ada@example.com' })).status, 202);
    const mail = await service.smtp.waitForMail('ada@example.com', { subject: /^Reset your password$/ });
    assert.match(mail.parsed.text ?? '', /^Hello Ada,\n/);
  });
});

describe('CONFIRM_EMAIL=off: the welcome mail leaves the typed name out too', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ CONFIRM_EMAIL: 'off' });
  });
  after(() => service.close());

  it('greets nobody by name', async () => {
    assert.equal(
      (await apiClient(service).postJson('/api/register', { email: 'victim@example.com', password: PASSWORD, name: NAME })).status,
      202,
    );
    assertNoTypedName(await service.smtp.waitForMail('victim@example.com', { subject: /^Welcome to Latchkey$/ }));
  });
});
