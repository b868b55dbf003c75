import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateHOTP } from '@oslojs/otp';
import { Secret } from 'otpauth';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, setCookieLine, signedInClient } from '../support/flows.ts';
import { requestResetCode, resetCodeIn, wrongCode } from '../support/reset-codes.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

/** The code an independent implementation (@oslojs/otp's HOTP over the RFC 6238 step) computes. */
function independentCode(base32: string, atMs: number): string {
  return generateHOTP(new Uint8Array(Secret.fromBase32(base32).buffer), BigInt(Math.floor(atMs / 30_000)), 6);
}

async function userIdOf(service: TestService, email: string): Promise<string> {
  const user = await service.deps.store.users.findByCanonicalEmail(email);
  assert.ok(user, `no user ${email}`);
  return user.id;
}

async function resetWithCode(service: TestService, email: string, code: string, password = NEW_PASSWORD) {
  return apiClient(service).postJson('/api/password/reset', { email, code, password });
}

describe('reset by a code sent by mail (issue 8, section 4)', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  before(async () => {
    // Many wrong codes come from this one test client: its per-IP limit is tested in the security suite.
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '1000/900' }, { clock });
  });
  after(() => service.close());

  it('end to end through the real SMTP peer: the code in the mail (no token link), reset, sign in; the address is confirmed', async () => {
    const email = 'ada@example.com';
    await registerUser(service, email, PASSWORD, undefined, { confirm: false });
    const forgot = await apiClient(service).postJson('/api/password/forgot', { email, method: 'code' });
    assert.equal(forgot.status, 202);
    const mail = await service.smtp.waitForMail(email, { subject: /Your password reset code/ });
    const code = resetCodeIn(mail);
    const text = mail.parsed.text ?? '';
    assert.match(text, /expires in 10 minutes and works once/);
    assert.match(text, new RegExp(`${service.config.publicUrl.origin}/reset/code\\b`));
    assert.doesNotMatch(text, /\/reset-password\//, 'no reset link');
    assert.doesNotMatch(text + (mail.parsed.html ?? ''), /[A-Za-z0-9_-]{40,}/, 'nothing token-shaped');

    const reset = await resetWithCode(service, email, code);
    assert.equal(reset.status, 200, reset.text);
    assert.deepEqual(reset.json(), { message: 'Your password has been changed. Sign in with the new password.' });
    assert.equal(setCookieLine(reset, 'lk_session'), undefined, 'no silent sign-in (S17)');
    assert.equal((await apiClient(service).postJson('/api/login', { email, password: NEW_PASSWORD })).status, 200);
    assert.equal((await apiClient(service).postJson('/api/login', { email, password: PASSWORD })).status, 401);
    const user = await service.deps.store.users.findByCanonicalEmail(email);
    assert.notEqual(user?.email_confirmed_at, null, 'reading the mail proved the address');
    const events = await service.deps.store.audit.listForUser(user!.id);
    assert.ok(events.some((e) => e.type === 'password_reset.completed' && String(e.detail).includes('"method":"code"')));
  });

  it('the reset body takes a token or an address with a code, never both or half', async () => {
    for (const body of [
      { token: 'x'.repeat(43), email: 'ada@example.com', code: '12345678', password: NEW_PASSWORD },
      { email: 'ada@example.com', password: NEW_PASSWORD },
      { code: '12345678', password: NEW_PASSWORD },
    ]) {
      const refused = await apiClient(service).postJson('/api/password/reset', body);
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.json().error, {
        code: 'VALIDATION_FAILED',
        message: 'Send "token" and "password", or "email", "code" and "password".',
      });
    }
    const typed = await apiClient(service).postJson('/api/password/reset', {
      email: 'ada@example.com',
      code: 12345678,
      password: NEW_PASSWORD,
    });
    assert.equal(typed.json().error.message, '"code" must be a string.');
    const method = await apiClient(service).postJson('/api/password/forgot', { email: 'ada@example.com', method: 'carrier-pigeon' });
    assert.equal(method.json().error.code, 'VALIDATION_FAILED');
  });

  it('a code works once', async () => {
    const email = 'once@example.com';
    await registerUser(service, email, PASSWORD);
    const code = await requestResetCode(service, email);
    assert.equal((await resetWithCode(service, email, code)).status, 200);
    const again = await resetWithCode(service, email, code, 'yet another passphrase');
    assert.equal(again.status, 400);
    assert.equal(again.json().error.code, 'CODE_INVALID');
  });

  it('a code expires after 10 minutes; only the newest code counts', async () => {
    const email = 'late@example.com';
    await registerUser(service, email, PASSWORD);
    const expired = await requestResetCode(service, email);
    clock.advanceSeconds(601);
    const late = await resetWithCode(service, email, expired);
    assert.equal(late.status, 400);
    assert.equal(late.json().error.code, 'CODE_INVALID');

    const older = await requestResetCode(service, email);
    const newer = await requestResetCode(service, email);
    assert.equal((await resetWithCode(service, email, older)).json().error?.code, 'CODE_INVALID', 'a new code replaces the older one');
    clock.advanceSeconds(599);
    assert.equal((await resetWithCode(service, email, newer)).status, 200, 'still valid just before 10 minutes');
  });

  it('5 wrong codes kill the code: then even the right one is refused, and the password stays', async () => {
    const email = 'guessed@example.com';
    await registerUser(service, email, PASSWORD);
    const code = await requestResetCode(service, email);
    for (let i = 1; i <= 5; i++) {
      const wrong = await resetWithCode(service, email, wrongCode(code, i));
      assert.equal(wrong.status, 400);
      assert.equal(wrong.json().error.code, 'CODE_INVALID');
    }
    const right = await resetWithCode(service, email, code);
    assert.equal(right.status, 400);
    assert.equal(right.json().error.code, 'CODE_INVALID');
    assert.equal((await apiClient(service).postJson('/api/login', { email, password: PASSWORD })).status, 200);
    const fresh = await requestResetCode(service, email);
    assert.equal((await resetWithCode(service, email, fresh)).status, 200, 'a new code works');
  });

  it('ends every session and revokes every other link, like a reset by link; the user is told by mail', async () => {
    const email = 'revoke@example.com';
    await registerUser(service, email, PASSWORD);
    const laptop = await signedInClient(service, email, PASSWORD);
    const phone = await signedInClient(service, email, PASSWORD);
    const link = await requestResetToken(service, email);
    const code = await requestResetCode(service, email);

    assert.equal((await resetWithCode(service, email, code)).status, 200);
    for (const client of [laptop, phone]) assert.equal((await client.get('/api/session')).status, 401);
    assert.equal(await service.deps.store.sessions.countForUser(await userIdOf(service, email), clock.nowMs()), 0);
    const withLink = await apiClient(service).postJson('/api/password/reset', { token: link, password: 'an attacker passphrase' });
    assert.equal(withLink.status, 400);
    assert.equal(withLink.json().error.code, 'TOKEN_REVOKED');
    const notice = await service.smtp.waitForMail(email, { subject: /password was changed/ });
    assert.match(notice.parsed.text ?? '', /Every other signed-in session was signed out/);
  });

  it('refuses the current password without using the code up, and checks the policy first', async () => {
    const email = 'same@example.com';
    await registerUser(service, email, PASSWORD);
    const code = await requestResetCode(service, email);
    const weak = await resetWithCode(service, email, code, 'password1');
    assert.equal(weak.json().error.code, 'PASSWORD_TOO_COMMON');
    const same = await resetWithCode(service, email, code, PASSWORD);
    assert.equal(same.status, 400);
    assert.equal(same.json().error.code, 'PASSWORD_SAME_AS_CURRENT');
    assert.equal((await resetWithCode(service, email, code)).status, 200, 'the code still works');
  });

  it('the pages: choose a code, land on /reset/code with the address filled in, set the password, go to sign in', async () => {
    const email = 'pages@example.com';
    await registerUser(service, email, PASSWORD);
    const browser = new TestClient(service.url);
    const forgot = await browser.get('/forgot-password');
    const asked = await browser.postForm('/forgot-password', { _csrf: forgot.csrfToken(), email, method: 'code' });
    assert.equal(asked.status, 303);
    assert.equal(asked.location, `/reset/code?email=${encodeURIComponent(email)}`);
    const form = await browser.get(asked.location as string);
    assert.match(form.text, /value="pages@example.com"/);
    assert.match(form.text, /If an account uses that address, we have sent it a code/);
    const code = resetCodeIn(await service.smtp.waitForMail(email, { subject: /reset code/ }));

    const mismatch = await browser.postForm('/reset/code', {
      _csrf: form.csrfToken(),
      email,
      code,
      password: NEW_PASSWORD,
      password_confirm: 'something else entirely',
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.text, /The two passwords do not match/);
    const wrong = await browser.postForm('/reset/code', {
      _csrf: form.csrfToken(),
      email,
      code: wrongCode(code),
      password: NEW_PASSWORD,
      password_confirm: NEW_PASSWORD,
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /The code is not correct\. Check it and try again\./);
    assert.match(wrong.text, /value="pages@example.com"/, 'the address stays filled in');
    const done = await browser.postForm('/reset/code', {
      _csrf: form.csrfToken(),
      email,
      code: `${code.slice(0, 4)} ${code.slice(4)}`,
      password: NEW_PASSWORD,
      password_confirm: NEW_PASSWORD,
    });
    assert.equal(done.status, 303, done.text.slice(0, 400));
    assert.equal(done.location, '/login?notice=password-reset');
    assert.equal(setCookieLine(done, 'lk_session'), undefined);
    assert.equal((await apiClient(service).postJson('/api/login', { email, password: NEW_PASSWORD })).status, 200);
  });
});

describe('reset by code with AUTO_LOGIN_AFTER_RESET=true and a second factor (S17)', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  before(async () => {
    service = await startTestService({ AUTO_LOGIN_AFTER_RESET: 'true' }, { clock });
  });
  after(() => service.close());

  it('signs a user without a second factor in with a fresh session', async () => {
    const email = 'plain@example.com';
    await registerUser(service, email, PASSWORD);
    const code = await requestResetCode(service, email);
    const api = apiClient(service);
    const reset = await api.postJson('/api/password/reset', { email, code, password: NEW_PASSWORD });
    assert.equal(reset.status, 200);
    assert.equal(reset.json().user.email, email);
    assert.equal((await api.get('/api/session')).status, 200);
  });

  it('never signs in a user with an authenticator app, who keeps it after the reset', async () => {
    const email = 'totp@example.com';
    await registerUser(service, email, PASSWORD);
    const userId = await userIdOf(service, email);
    const { store, mfa } = service.deps;
    const setup = await mfa.totp.startSetup(store, userId, email);
    assert.ok(setup);
    assert.equal(await mfa.totp.confirm(store, userId, independentCode(setup.secret, clock.nowMs())), true);

    const code = await requestResetCode(service, email);
    const api = apiClient(service);
    const reset = await api.postJson('/api/password/reset', { email, code, password: NEW_PASSWORD });
    assert.equal(reset.status, 200);
    assert.equal(reset.json().user, undefined);
    assert.equal(setCookieLine(reset, 'lk_session'), undefined);
    assert.equal((await api.get('/api/session')).status, 401);
    assert.equal(await mfa.totp.isEnabled(store, userId), true, 'the reset keeps the second factor');

    const browser = new TestClient(service.url);
    const again = await requestResetCode(service, email);
    const form = await browser.get(`/reset/code?email=${encodeURIComponent(email)}`);
    const done = await browser.postForm('/reset/code', {
      _csrf: form.csrfToken(),
      email,
      code: again,
      password: 'yet another passphrase',
      password_confirm: 'yet another passphrase',
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/login?notice=password-reset');
    assert.equal(setCookieLine(done, 'lk_session'), undefined);
    assert.equal(await mfa.totp.isEnabled(store, userId), true);
    assert.equal(await mfa.factors.requiredFor(userId), true);
    // The new password alone yields no session: the sign-in asks for the second factor.
    const login = await api.postJson('/api/login', { email, password: 'yet another passphrase' });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.json().secondFactorRequired, true);
    assert.equal(setCookieLine(login, 'lk_session'), undefined);
    assert.equal((await api.get('/api/session')).status, 401);
  });
});

describe('RECOVERY_METHODS=link', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RECOVERY_METHODS: 'link' });
  });
  after(() => service.close());

  it('refuses a code method with 400 RECOVERY_METHOD_NOT_ALLOWED, offers no choice and has no code page', async () => {
    const api = apiClient(service);
    for (const method of ['code', 'sms']) {
      const refused = await api.postJson('/api/password/forgot', { email: 'ada@example.com', method });
      assert.equal(refused.status, 400);
      assert.equal(refused.json().error.code, 'RECOVERY_METHOD_NOT_ALLOWED');
    }
    assert.equal((await api.postJson('/api/password/forgot', { email: 'ada@example.com', method: 'link' })).status, 202);
    const withCode = await api.postJson('/api/password/reset', { email: 'ada@example.com', code: '12345678', password: NEW_PASSWORD });
    assert.equal(withCode.json().error.code, 'RECOVERY_METHOD_NOT_ALLOWED');
    const page = await new TestClient(service.url).get('/forgot-password');
    assert.doesNotMatch(page.text, /type="radio"/);
    assert.match(page.text, /Send reset link/);
    assert.equal((await new TestClient(service.url).get('/reset/code')).status, 404);
  });
});
