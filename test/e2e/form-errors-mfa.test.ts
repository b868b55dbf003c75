import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';
import { assertFormAgain, inputTag } from '../support/form-errors.ts';
import { enrolSecondFactor, totpCode } from '../support/second-step.ts';
import { TestSmsServer } from '../support/sms-server.ts';

const PASSWORD = 'correct horse battery';
const RECENT_AUTH_TTL = 600;
const LONG = 'x'.repeat(5000);

describe('two-step sign-in and phone forms answer bad input with the same form: problems at their fields', () => {
  const provider = new TestSmsServer();
  const clock = new ManualClock(Date.now());
  let service: TestService;
  let n = 0;
  before(async () => {
    service = await startTestService({ SMS_URL: `${await provider.start()}/sms` }, { clock });
  });
  after(async () => {
    await service.close();
    await provider.stop();
  });

  /** A new account, signed in through the page. */
  async function signedIn(): Promise<{ browser: TestClient; email: string }> {
    const email = `form${++n}@example.com`;
    await registerUser(service, email, PASSWORD);
    const browser = new TestClient(service.url);
    assert.equal((await browser.submitForm('/login', '/login', { email, password: PASSWORD })).status, 303);
    return { browser, email };
  }

  it('setting up: a stale session’s empty or wrong password, an empty or wrong code, an expired form', async () => {
    const { browser } = await signedIn();
    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    const title = 'Two-step sign-in';
    const empty = await browser.submitForm('/account/two-factor', '/account/two-factor/setup', { password: '' });
    assertFormAgain(empty, { status: 400, title, fields: { password: /Enter your password/ } });
    const wrong = await browser.submitForm('/account/two-factor', '/account/two-factor/setup', { password: 'not the password' });
    assertFormAgain(wrong, { status: 400, title, fields: { password: /current password is not correct/ }, secrets: ['not the password'] });
    const long = await browser.submitForm('/account/two-factor', '/account/two-factor/setup', { password: LONG });
    assertFormAgain(long, { status: 400, title, fields: { password: /at most 4096 characters/ }, secrets: [LONG] });
    const stale = await browser.postForm('/account/two-factor/setup', { _csrf: 'x'.repeat(43), password: PASSWORD });
    assertFormAgain(stale, { status: 403, title, form: /form expired/, secrets: [PASSWORD] });
    assert.equal((await browser.postForm('/account/two-factor/setup', { _csrf: stale.csrfToken(), password: PASSWORD })).status, 303);

    const setup = 'Set up your authenticator app';
    const noCode = await browser.submitForm('/account/two-factor/setup', '/account/two-factor/confirm', { code: '' });
    assertFormAgain(noCode, { status: 400, title: setup, fields: { code: /Enter the code/ } });
    assert.match(noCode.text, /<code class="secret" id="secret">/, 'the same secret to scan again');
    const secret = /<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(noCode.text)?.[1]?.replace(/ /g, '') as string;
    const code = totpCode(secret, clock.nowMs());
    const wrongCode = await browser.submitForm('/account/two-factor/setup', '/account/two-factor/confirm', {
      code: code === '000000' ? '111111' : '000000',
    });
    assertFormAgain(wrongCode, { status: 400, title: setup, fields: { code: /The code is not correct/ } });
    assert.doesNotMatch(inputTag(wrongCode.text, 'code'), /value=/, 'a code is never typed back');
    const expired = await browser.postForm('/account/two-factor/confirm', { _csrf: 'forged', code: '123456' });
    assertFormAgain(expired, { status: 403, title: setup, form: /form expired/, secrets: ['123456'] });
  });

  it('new recovery codes and turning off: the password and the code at their fields', async () => {
    const { browser, email } = await signedIn();
    await enrolSecondFactor(service, email);
    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    const codes = 'Make new recovery codes';
    const empty = await browser.submitForm('/account/two-factor/recovery-codes', '/account/two-factor/recovery-codes', { password: '' });
    assertFormAgain(empty, { status: 400, title: codes, fields: { password: /Enter your password/ } });
    const missing = await browser.submitForm('/account/two-factor/recovery-codes', '/account/two-factor/recovery-codes', {});
    assertFormAgain(missing, { status: 403, title: codes, fields: { password: /enter your password again/ } });

    const off = 'Turn off two-step sign-in';
    const both = await browser.submitForm('/account/two-factor/disable', '/account/two-factor/disable', { code: '', password: '' });
    assertFormAgain(both, { status: 400, title: off, fields: { code: /Enter the code/, password: /Enter your password/ } });
    const wrong = await browser.submitForm('/account/two-factor/disable', '/account/two-factor/disable', {
      code: 'abcd-efgh-jkmn',
      password: PASSWORD,
    });
    assertFormAgain(wrong, { status: 400, title: off, fields: { code: /The code is not correct/ }, secrets: ['abcd-efgh-jkmn', PASSWORD] });
    assert.doesNotMatch(wrong.text, /id="password"/, 'the password just given is recent: not asked again');
    const strange = await browser.submitForm('/account/two-factor/disable', '/account/two-factor/disable', { code: '123456', admin: '1' });
    assertFormAgain(strange, { status: 400, title: off, form: /does not have \(admin\)/ });
  });

  it('the second step: an empty or wrong code at the field, the way and "remember" kept; an expired form; a refused send', async () => {
    const email = `form${++n}@example.com`;
    await registerUser(service, email, PASSWORD);
    await enrolSecondFactor(service, email);
    const browser = new TestClient(service.url);
    assert.equal((await browser.submitForm('/login', '/login', { email, password: PASSWORD })).location, '/login/second-factor');
    const title = 'Finish signing in';
    const page = '/login/second-factor?method=recovery_code';
    const empty = await browser.submitForm(page, '/login/second-factor', { method: 'recovery_code', code: '', remember_device: 'on' });
    assertFormAgain(empty, { status: 400, title, fields: { code: /Enter the code/ } });
    assert.match(empty.text, /<label for="code">Recovery code<\/label>/, 'the same way of signing in');
    assert.match(empty.text, /name="remember_device" value="on" checked>/, '"remember" kept');
    const wrong = await browser.submitForm(page, '/login/second-factor', { method: 'recovery_code', code: 'abcd-efgh-jkmn' });
    assertFormAgain(wrong, { status: 400, title, fields: { code: /The code is not correct/ }, secrets: ['abcd-efgh-jkmn'] });
    assert.match(wrong.text, /<label for="code">Recovery code<\/label>/);
    const forged = await browser.postForm('/login/second-factor', { _csrf: 'forged', method: 'totp', code: '123456' });
    assertFormAgain(forged, { status: 403, title, form: /form expired/, secrets: ['123456'] });
    const bogus = await browser.submitForm(page, '/login/second-factor', { method: 'carrier-pigeon', code: '123456' });
    assertFormAgain(bogus, { status: 400, title, form: /way to sign in is not valid: choose one of the options/, secrets: ['123456'] });

    const sent = await browser.submitForm('/login/second-factor', '/login/second-factor/send', { method: 'email_code' });
    assert.equal(sent.status, 303);
    const again = await browser.submitForm('/login/second-factor', '/login/second-factor/send', { method: 'email_code' });
    assertFormAgain(again, { status: 429, title, form: /Too many attempts/ });
    const noPhone = await browser.submitForm('/login/second-factor', '/login/second-factor/send', { method: 'sms_code' });
    assertFormAgain(noPhone, { status: 400, title, form: /not available for your account/ });
    const forgedSend = await browser.postForm('/login/second-factor/send', { _csrf: 'forged', method: 'email_code' });
    assertFormAgain(forgedSend, { status: 403, title, form: /form expired/ });
    assert.match(forgedSend.text, /<label for="code">Code from the email<\/label>/, 'the way that was asked for');
  });

  it('the phone: an empty or invalid number kept at its field, a wrong password, a wrong code, removing', async () => {
    const { browser } = await signedIn();
    const title = 'Your phone number';
    const empty = await browser.submitForm('/account/phone', '/account/phone', { phone: '', password: '' });
    assertFormAgain(empty, { status: 400, title, fields: { phone: /Enter your mobile phone number/ } });
    const invalid = await browser.submitForm('/account/phone', '/account/phone', { phone: '12', password: PASSWORD });
    assertFormAgain(invalid, { status: 400, title, fields: { phone: /valid phone number/ }, kept: { phone: '12' }, secrets: [PASSWORD] });
    const wrong = await browser.submitForm('/account/phone', '/account/phone', { phone: '+33 6 12 34 56 78', password: 'not it' });
    assertFormAgain(wrong, {
      status: 400,
      title,
      fields: { password: /current password is not correct/ },
      kept: { phone: '+33 6 12 34 56 78' },
      secrets: ['not it'],
    });
    const forged = await browser.postForm('/account/phone', { _csrf: 'forged', phone: '+33 6 12 34 56 78', password: PASSWORD });
    assertFormAgain(forged, { status: 403, title, form: /form expired/, kept: { phone: '+33 6 12 34 56 78' }, secrets: [PASSWORD] });

    assert.equal((await browser.submitForm('/account/phone', '/account/phone', { phone: '+33 6 12 34 56 78', password: '' })).status, 303);
    const enter = 'Enter the code';
    const noCode = await browser.submitForm('/account/phone/verify', '/account/phone/verify', { code: '' });
    assertFormAgain(noCode, { status: 400, title: enter, fields: { code: /Enter the code/ } });
    const code = /^(\d{6})/.exec((await provider.waitFor('+33612345678')).body)?.[1] as string;
    const wrongCode = await browser.submitForm('/account/phone/verify', '/account/phone/verify', {
      code: code === '000000' ? '000001' : '000000',
    });
    assertFormAgain(wrongCode, { status: 400, title: enter, fields: { code: /The code is not correct/ } });
    assert.equal((await browser.submitForm('/account/phone/verify', '/account/phone/verify', { code })).status, 303);

    clock.advanceSeconds(RECENT_AUTH_TTL + 1);
    const page = await browser.get('/account/phone');
    assert.equal((page.text.match(/ id="password"/g) ?? []).length, 1, 'one field with the id "password"');
    const remove = await browser.postForm('/account/phone/remove', { _csrf: page.csrfToken(), password: 'not it' });
    assertFormAgain(remove, { status: 400, title, fields: { remove_password: /current password is not correct/ }, secrets: ['not it'] });
    assert.match(inputTag(remove.text, 'remove_password'), /name="password"/);
    const stale = await browser.postForm('/account/phone/remove', { _csrf: page.csrfToken(), password: '' });
    assertFormAgain(stale, { status: 403, title, fields: { remove_password: /enter your password again/ } });
  });
});
