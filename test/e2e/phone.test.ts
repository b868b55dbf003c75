import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { registerUser, signedInClient } from '../support/flows.ts';
import { TestSmsServer } from '../support/sms-server.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const RECENT_AUTH_TTL = 600;

/** The 6-digit code of an SMS body, checking the body's shape on the way. */
function codeOf(body: string, host: string): string {
  const match = /^(\d{6}) is your Latchkey code\.\n\n@(\S+) #(\d{6})$/.exec(body);
  assert.ok(match, `unexpected SMS body: ${JSON.stringify(body)}`);
  assert.equal(match[2], host);
  assert.equal(match[3], match[1], 'the WebOTP line carries the same code');
  return match[1] as string;
}

describe('the account’s phone number, through a real local SMS webhook', () => {
  const provider = new TestSmsServer();
  const clock = new ManualClock();
  let service: TestService;
  let api: TestClient;
  /** SMS each number received so far, to wait for the next one. */
  const sent = new Map<string, number>();

  before(async () => {
    const baseUrl = await provider.start();
    service = await startTestService({ SMS_URL: `${baseUrl}/sms` }, { clock });
    await registerUser(service, EMAIL, PASSWORD);
    api = await signedInClient(service, EMAIL, PASSWORD);
  });
  after(async () => {
    await service.close();
    await provider.stop();
  });

  const host = () => service.config.publicUrl.hostname;
  const sendCode = async (phone: string, body: Record<string, string> = {}) => {
    const response = await api.postJson('/api/phone', { phone, ...body });
    assert.equal(response.status, 202, response.text);
    const e164 = response.json().phone as string;
    const sms = await provider.waitFor(e164, { after: sent.get(e164) ?? 0 });
    sent.set(e164, (sent.get(e164) ?? 0) + 1);
    const code = codeOf(sms.body, host());
    return { e164, code };
  };
  const auditTypes = async () =>
    (await service.deps.store.db.selectFrom('audit_events').select('type').orderBy('created_at').execute()).map((e) => e.type);

  it('adds a phone once the code sent to it comes back, tells the account’s address, and removes it after a recent sign-in', async () => {
    assert.deepEqual((await api.get('/api/phone')).json(), { phone: null, smsAvailable: true });

    const { e164, code } = await sendCode('+33 6 12 34 56 78');
    assert.equal(e164, '+33612345678');
    assert.deepEqual((await api.get('/api/phone')).json(), { phone: null, smsAvailable: true }, 'not added before the code');

    const verified = await api.postJson('/api/phone/verify', { code });
    assert.equal(verified.status, 200, verified.text);
    assert.deepEqual(verified.json(), { phone: { number: '+33612345678', verifiedAtMs: clock.nowMs() } });
    assert.equal((await api.get('/api/account')).json().account.phone, '+33612345678');
    const again = await api.postJson('/api/phone/verify', { code });
    assert.equal(again.status, 400);
    assert.equal(again.json().error.code, 'CODE_INVALID', 'a code works once');

    const added = await service.smtp.waitForMail(EMAIL, { subject: /A phone number was added/ });
    assert.match(added.parsed.text ?? '', /ending in 78 was added/);
    assert.ok(!(added.parsed.text ?? '').includes('612345678'), 'the mail names the last two digits only');

    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    const stale = await api.request('DELETE', '/api/phone');
    assert.equal(stale.status, 403);
    assert.equal(stale.json().error.code, 'REAUTH_REQUIRED');
    assert.equal((await api.get('/api/account')).json().account.phone, '+33612345678', 'still there');
    assert.equal((await api.postJson('/api/reauthenticate', { password: PASSWORD })).status, 204);
    assert.equal((await api.request('DELETE', '/api/phone')).status, 204);
    assert.deepEqual((await api.get('/api/phone')).json(), { phone: null, smsAvailable: true });
    const removed = await service.smtp.waitForMail(EMAIL, { subject: /phone number of your account was removed/ });
    assert.match(removed.parsed.text ?? '', /ending in 78 was removed/);

    const types = await auditTypes();
    for (const type of ['phone.code_sent', 'phone.added', 'phone.removed']) assert.ok(types.includes(type), `audit event ${type}`);
    const [event] = await service.deps.store.db.selectFrom('audit_events').selectAll().where('type', '=', 'phone.added').execute();
    assert.match(event?.detail ?? '', /FR …78/);
    assert.ok(!(event?.detail ?? '').includes('612345678'));
  });

  it('needs a recent sign-in to add a phone: the password in the request makes it recent', async () => {
    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    const sent = provider.received.length;
    const stale = await api.postJson('/api/phone', { phone: '+33 6 12 34 56 01' });
    assert.equal(stale.status, 403);
    assert.equal(stale.json().error.code, 'REAUTH_REQUIRED');
    const wrong = await api.postJson('/api/phone', { phone: '+33 6 12 34 56 01', password: 'not my password' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().error.code, 'CURRENT_PASSWORD_INCORRECT');
    assert.equal(provider.received.length, sent, 'no SMS without the recent sign-in');
    await sendCode('+33 6 12 34 56 01', { password: PASSWORD });
  });

  it('refuses numbers that are not valid or cannot receive SMS, sending nothing', async () => {
    const sent = provider.received.length;
    for (const [phone, code] of [
      ['12', 'PHONE_INVALID'],
      ['06 12 34 56 78', 'PHONE_INVALID'], // no DEFAULT_PHONE_COUNTRY: the + is needed
      ['+33 1 42 68 53 00', 'PHONE_NOT_MOBILE'],
      ['+1 800 555 0100', 'PHONE_NOT_MOBILE'],
    ] as const) {
      const response = await api.postJson('/api/phone', { phone });
      assert.equal(response.status, 400, phone);
      assert.equal(response.json().error.code, code, phone);
    }
    const array = await api.postJson('/api/phone', { phone: ['+33612345678'] });
    assert.equal(array.status, 400);
    assert.equal(provider.received.length, sent);
  });

  it('kills a code at the fifth wrong entry, saying so; a new code replaces the dead one', async () => {
    const { code } = await sendCode('+33 6 12 34 56 03');
    const wrong = code === '111111' ? '111112' : '111111';
    for (let i = 1; i <= 4; i++) {
      const answer = await api.postJson('/api/phone/verify', { code: wrong });
      assert.equal(answer.json().error.message, 'The code is not correct. Check it and try again.', `wrong entry ${i}`);
    }
    const fifth = await api.postJson('/api/phone/verify', { code: wrong });
    assert.match(fifth.json().error.message, /no longer works/);
    const fresh = await sendCode('+33 6 12 34 56 03');
    assert.equal((await api.postJson('/api/phone/verify', { code: fresh.code })).status, 200);
    assert.equal((await api.get('/api/account')).json().account.phone, '+33612345603');
  });

  it('limits SMS to one number (RATE_LIMIT_SMS_NUMBER, 5 an hour) with Retry-After', async () => {
    for (let i = 0; i < 5; i++) await sendCode('+33 6 12 34 56 04');
    const sent = provider.received.length;
    const refused = await api.postJson('/api/phone', { phone: '+33 6 12 34 56 04' });
    assert.equal(refused.status, 429);
    assert.equal(refused.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(provider.received.length, sent);
  });

  it('works as plain forms: add, enter the code, remove', async () => {
    // A new account: the limits above are spent for the first one.
    await registerUser(service, 'grace@example.com', PASSWORD);
    const browser = await signedInClient(service, 'grace@example.com', PASSWORD);
    const page = await browser.get('/account/phone');
    assert.equal(page.status, 200);
    assert.match(page.text, /Your account has no phone number/);
    assert.match(page.text, /<input id="phone" name="phone" type="tel" autocomplete="tel"/);
    const started = await browser.submitForm('/account/phone', '/account/phone', { phone: '+44 7911 123456', password: PASSWORD });
    assert.equal(started.status, 303, started.text.slice(0, 500));
    assert.equal(started.headers.get('location'), '/account/phone/verify');
    const code = codeOf((await provider.waitFor('+447911123456')).body, host());

    const entry = await browser.get('/account/phone/verify');
    assert.match(entry.text, /sent a 6-digit code by SMS to <strong>\+447911123456<\/strong>/);
    assert.match(entry.text, /<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"/);
    const wrong = await browser.submitForm('/account/phone/verify', '/account/phone/verify', {
      code: code === '222222' ? '222223' : '222222',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /The code is not correct/);
    const done = await browser.submitForm('/account/phone/verify', '/account/phone/verify', { code });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), '/account/phone?notice=added');
    const withPhone = await browser.get('/account/phone?notice=added');
    assert.match(withPhone.text, /Your phone number was verified and added/);
    assert.match(withPhone.text, /Your phone number is <strong>\+447911123456<\/strong>/);

    const noPassword = await browser.submitForm('/account/phone', '/account/phone/remove', { password: '' });
    assert.equal(noPassword.status, 303, 'signed in moments ago: recent enough');
    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    assert.equal((await browser.submitForm('/account/phone', '/account/phone', { phone: '+44 7911 123456', password: '' })).status, 403);
    const stale = await browser.submitForm('/account/phone', '/account/phone/remove', { password: '' });
    assert.equal(stale.status, 403);
    assert.match(stale.text, /enter your password again/);
  });
});
