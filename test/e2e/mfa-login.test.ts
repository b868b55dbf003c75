import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { ManualClock } from '../../src/kernel/clock.ts';
import { newId } from '../../src/kernel/random.ts';
import { linkIn } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient } from '../support/client.ts';
import { insertUser } from '../support/database.ts';
import { apiClient, registerUser, requestResetToken, setCookieLine } from '../support/flows.ts';
import {
  callbackServer,
  followAuthorization,
  type OidcPortsForTest,
  registerClient,
  relyingParty,
  startAuthorization,
  startOidcService,
  verifyJwtWithJwks,
} from '../support/oidc.ts';
import { formAction, PathCookieClient } from '../support/path-cookie-client.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { enrolSecondFactor, loginCodeIn, PENDING_COOKIE, REMEMBER_COOKIE, totpCode } from '../support/second-step.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

describe('signing in with a second factor (API and pages)', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  let n = 0;

  before(async () => {
    service = await startTestService({ RATE_LIMIT_LOGIN_IP: '1000/900' }, { clock });
  });
  after(() => service.close());

  /** A confirmed account with an authenticator app and recovery codes; the clock moved past the confirming step. */
  async function enrolledUser(password = PASSWORD) {
    const email = `user${++n}@example.com`;
    await registerUser(service, email, password);
    const enrolled = await enrolSecondFactor(service, email);
    clock.advanceSeconds(30);
    return { email, ...enrolled };
  }

  async function passwordStep(email: string, client: TestClient = apiClient(service), password = PASSWORD) {
    const response = await client.postJson('/api/login', { email, password });
    return { client, response };
  }

  function nextTotp(secret: string): string {
    clock.advanceSeconds(30);
    return totpCode(secret, clock.nowMs());
  }

  it('a password alone gives no session: only the 5-minute pending-login cookie', async () => {
    const { email } = await enrolledUser();
    const { client, response } = await passwordStep(email);
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), { secondFactorRequired: true, methods: ['totp', 'recovery_code', 'email_code'] });
    assert.equal(setCookieLine(response, 'lk_session'), undefined, 'no session cookie');
    assert.equal(setCookieLine(response, 'lk_device'), undefined, 'no sign-in throttle device cookie before the second step');
    const pending = setCookieLine(response, PENDING_COOKIE) ?? '';
    assert.match(pending, /^lk_mfa_pending=[A-Za-z0-9_-]{43};/);
    assert.match(pending, /Max-Age=300/);
    assert.match(pending, /Path=\//);
    assert.match(pending, /HttpOnly/);
    assert.match(pending, /SameSite=Lax/);
    assert.equal((await client.get('/api/session')).status, 401);
    assert.equal(await service.deps.store.db.selectFrom('sessions').select('id').executeTakeFirst(), undefined);
  });

  it('an authenticator code finishes the sign-in once: session with amr "pwd otp", new CSRF secret, pending cookie gone', async () => {
    const { email, secret } = await enrolledUser();
    const { client } = await passwordStep(email);
    const pendingToken = client.cookies.get(PENDING_COOKIE) as string;
    const wrong = await client.postJson('/api/login/second-factor', {
      method: 'totp',
      code: '000000' === nextTotp(secret) ? '111111' : '000000',
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json().error.code, 'CODE_INVALID');
    const done = await client.postJson('/api/login/second-factor', { method: 'totp', code: totpCode(secret, clock.nowMs()) });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json().user.email, email);
    assert.ok(setCookieLine(done, 'lk_session'));
    assert.ok(setCookieLine(done, 'lk_csrf'), 'the CSRF secret rotates with the new session');
    assert.ok(setCookieLine(done, 'lk_device'), "the sign-in throttle's device cookie, as after every sign-in");
    assert.ok(!client.cookies.has(PENDING_COOKIE), 'the pending cookie is cleared');
    assert.equal((await client.get('/api/session')).status, 200);
    const row = await service.deps.store.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('amr')
      .where('users.email', '=', email)
      .executeTakeFirst();
    assert.equal(row?.amr, 'pwd otp');

    // The pending sign-in is over: its cookie does not finish another one.
    const again = apiClient(service);
    again.cookies.set(PENDING_COOKIE, pendingToken);
    const replay = await again.postJson('/api/login/second-factor', { method: 'totp', code: nextTotp(secret) });
    assert.equal(replay.json().error.code, 'SECOND_FACTOR_EXPIRED');
  });

  it('a recovery code works once, and a notice mail says how many are left', async () => {
    const { email, recoveryCodes } = await enrolledUser();
    const code = recoveryCodes[0] as string;
    const first = await passwordStep(email);
    const done = await first.client.postJson('/api/login/second-factor', { method: 'recovery_code', code: code.toUpperCase() });
    assert.equal(done.status, 200, done.text);
    const notice = await service.smtp.waitForMail(email, { subject: /recovery code was used/ });
    assert.match(notice.parsed.text ?? '', /9 recovery codes are left/);
    assert.ok(!(notice.parsed.text ?? '').includes(code), 'the code itself is not mailed');

    const second = await passwordStep(email);
    const reused = await second.client.postJson('/api/login/second-factor', { method: 'recovery_code', code });
    assert.equal(reused.status, 400);
    assert.equal(reused.json().error.code, 'CODE_INVALID');
    assert.equal((await second.client.get('/api/session')).status, 401);
  });

  it('a code mailed through the real SMTP peer signs in; one send per 30 s per pending sign-in', async () => {
    const { email } = await enrolledUser();
    const { client } = await passwordStep(email);
    const sent = await client.postJson('/api/login/second-factor/send', { method: 'email_code' });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.json().expiresInSeconds, 600);
    const again = await client.postJson('/api/login/second-factor/send', { method: 'email_code' });
    assert.equal(again.status, 429);
    assert.ok(Number(again.headers.get('retry-after')) > 0);
    const mail = await service.smtp.waitForMail(email, { subject: /sign-in code/ });
    const code = loginCodeIn(mail.parsed.text);
    assert.ok(!(mail.parsed.subject ?? '').includes(code), 'the code is not in the subject');
    const done = await client.postJson('/api/login/second-factor', { method: 'email_code', code });
    assert.equal(done.status, 200, done.text);
    const reused = await passwordStep(email);
    const refused = await reused.client.postJson('/api/login/second-factor', { method: 'email_code', code });
    assert.equal(refused.json().error.code, 'CODE_INVALID', 'a mailed code works once');
  });

  it('text messages are refused clearly while no SMS channel is set up', async () => {
    const { email } = await enrolledUser();
    const { client } = await passwordStep(email);
    const sms = await client.postJson('/api/login/second-factor/send', { method: 'sms_code' });
    assert.equal(sms.status, 400);
    assert.equal(sms.json().error.code, 'VALIDATION_FAILED');
    assert.match(sms.json().error.message, /not available/);
  });

  it('without a pending cookie, or with one past its 5 minutes, the answer is SECOND_FACTOR_EXPIRED even for the right code', async () => {
    const { email, secret } = await enrolledUser();
    const none = await apiClient(service).postJson('/api/login/second-factor', { method: 'totp', code: nextTotp(secret) });
    assert.equal(none.status, 400);
    assert.equal(none.json().error.code, 'SECOND_FACTOR_EXPIRED');

    const { client } = await passwordStep(email);
    clock.advanceSeconds(301);
    const late = await client.postJson('/api/login/second-factor', { method: 'totp', code: totpCode(secret, clock.nowMs()) });
    assert.equal(late.status, 400);
    assert.equal(late.json().error.code, 'SECOND_FACTOR_EXPIRED');
    assert.equal((await client.get('/api/session')).status, 401);
    assert.equal(
      (await client.postJson('/api/login/second-factor/send', { method: 'email_code' })).json().error.code,
      'SECOND_FACTOR_EXPIRED',
    );
  });

  it('the fifth wrong code ends the pending sign-in: the password must be given again', async () => {
    const { email, secret } = await enrolledUser();
    const { client } = await passwordStep(email);
    const answers: string[] = [];
    for (let i = 0; i < 5; i++)
      answers.push((await client.postJson('/api/login/second-factor', { method: 'totp', code: '12345' })).json().error.code);
    assert.deepEqual(answers, ['CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID', 'SECOND_FACTOR_EXPIRED']);
    const right = await client.postJson('/api/login/second-factor', { method: 'totp', code: nextTotp(secret) });
    assert.equal(right.json().error.code, 'SECOND_FACTOR_EXPIRED');
    const fresh = await passwordStep(email, client);
    assert.equal(fresh.response.json().secondFactorRequired, true);
    const done = await client.postJson('/api/login/second-factor', { method: 'totp', code: totpCode(secret, clock.nowMs()) });
    assert.equal(done.status, 200, 'a new password check starts a new pending sign-in');
  });

  describe('remember this device (30 days)', () => {
    /** Signs in with a code and "remember this device"; returns the remembered cookie. */
    async function rememberedBrowser(email: string, secret: string): Promise<{ client: TestClient; cookie: string }> {
      const { client } = await passwordStep(email);
      const done = await client.postJson('/api/login/second-factor', { method: 'totp', code: nextTotp(secret), rememberDevice: true });
      assert.equal(done.status, 200, done.text);
      const line = setCookieLine(done, REMEMBER_COOKIE) ?? '';
      assert.match(line, /Max-Age=2592000/);
      assert.match(line, /HttpOnly/);
      assert.match(line, /SameSite=Lax/);
      return { client, cookie: client.cookies.get(REMEMBER_COOKIE) as string };
    }

    /** A new browser holding only the remembered-device cookie: does the password alone sign in? */
    async function skipsSecondStep(email: string, cookie: string, password = PASSWORD): Promise<boolean> {
      const browser = apiClient(service);
      browser.cookies.set(REMEMBER_COOKIE, cookie);
      const { response } = await passwordStep(email, browser, password);
      assert.equal(response.status, 200, response.text);
      if (response.json().secondFactorRequired === true) {
        assert.equal((await browser.get('/api/session')).status, 401);
        return false;
      }
      assert.equal(response.json().user.email, email);
      assert.equal((await browser.get('/api/session')).status, 200);
      return true;
    }

    it('skips the second step on that browser only, with amr "pwd", and for that user only', async () => {
      const ada = await enrolledUser();
      const bob = await enrolledUser();
      const { cookie } = await rememberedBrowser(ada.email, ada.secret);
      assert.equal(await skipsSecondStep(ada.email, cookie), true);
      const sessions = await service.deps.store.db.selectFrom('sessions').select('amr').where('user_id', '=', ada.userId).execute();
      assert.deepEqual(
        sessions.map((s) => s.amr ?? 'NULL').sort(),
        ['NULL', 'pwd otp'],
        'the code sign-in proved "pwd otp"; the remembered browser proves the password only',
      );
      assert.equal(await skipsSecondStep(bob.email, cookie), false, "another user's remembered cookie does not help");
      assert.equal(await skipsSecondStep(ada.email, `${cookie.slice(0, -2)}xx`), false, 'a changed cookie is worthless');
    });

    it('is forgotten by a password change', async () => {
      const { email, secret } = await enrolledUser();
      const { client, cookie } = await rememberedBrowser(email, secret);
      const changed = await client.postJson('/api/password/change', { current_password: PASSWORD, new_password: NEW_PASSWORD });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(await skipsSecondStep(email, cookie, NEW_PASSWORD), false);
    });

    it('is forgotten by a reset, which keeps the second factor', async () => {
      const { email, secret } = await enrolledUser();
      const { cookie } = await rememberedBrowser(email, secret);
      const token = await requestResetToken(service, email);
      const reset = await apiClient(service).postJson('/api/password/reset', { token, password: NEW_PASSWORD });
      assert.equal(reset.status, 200, reset.text);
      assert.equal(await skipsSecondStep(email, cookie, NEW_PASSWORD), false, 'the reset still asks for the second factor');
    });

    it('is forgotten when the second factor is turned off (factors.removeAll), and stays so when it is turned on again', async () => {
      const { email, secret, userId } = await enrolledUser();
      const { cookie } = await rememberedBrowser(email, secret);
      const { store, mfa } = service.deps;
      await store.transaction((tx) => mfa.factors.removeAll(tx, userId));
      assert.equal((await store.db.selectFrom('remembered_devices').select('id').where('user_id', '=', userId).execute()).length, 0);
      assert.equal(await skipsSecondStep(email, cookie), true, 'no second factor: the password signs in');
      await enrolSecondFactor(service, email);
      clock.advanceSeconds(30);
      assert.equal(await skipsSecondStep(email, cookie), false, 'the old cookie is not remembered for the new authenticator');
    });

    it('is forgotten by "sign out everywhere else"', async () => {
      const { email, secret } = await enrolledUser();
      const { client, cookie } = await rememberedBrowser(email, secret);
      assert.equal((await client.postJson('/api/sessions/revoke-others', {})).status, 200);
      assert.equal(await skipsSecondStep(email, cookie), false);
    });

    it('is forgotten when an email change is undone ("it was not me")', async () => {
      const { email, secret } = await enrolledUser();
      const { client } = await rememberedBrowser(email, secret);
      const devices = () =>
        service.deps.store.db
          .selectFrom('remembered_devices')
          .innerJoin('users', 'users.id', 'remembered_devices.user_id')
          .select('remembered_devices.id')
          .where('users.email', '=', email)
          .execute();
      assert.equal((await devices()).length, 1);
      const requested = await client.postJson('/api/email/change', { email: `moved${n}@example.com`, password: PASSWORD });
      assert.equal(requested.status, 202, requested.text);
      const undoLink = linkIn(await service.smtp.waitForMail(email, { subject: /being changed/ }), '/email-change/undo/');
      const undone = await apiClient(service).postJson('/api/email/change/undo', { token: new URL(undoLink).pathname.split('/').pop() });
      assert.equal(undone.status, 200, undone.text);
      assert.equal((await devices()).length, 0, 'the undo forgets every remembered browser');
    });
  });

  describe('pages', () => {
    it('the login page continues to the second-factor page and back to return_to', async () => {
      const { email, secret } = await enrolledUser();
      const browser = apiClient(service);
      const form = await browser.get('/login?return_to=%2Faccount%2Fsessions');
      const posted = await browser.postForm('/login?return_to=%2Faccount%2Fsessions', {
        _csrf: form.csrfToken(),
        email,
        password: PASSWORD,
      });
      assert.equal(posted.status, 303);
      assert.equal(posted.location, '/login/second-factor?return_to=%2Faccount%2Fsessions');
      assert.equal(setCookieLine(posted, 'lk_session'), undefined);

      const page = await browser.get(posted.location as string);
      assert.equal(page.status, 200);
      assert.match(page.text, /<input id="code" name="code" type="text" autocomplete="one-time-code" inputmode="numeric"/);
      assert.match(page.text, /Remember this device for 30 days/);
      assert.match(page.text, /Use a recovery code/);
      assert.match(page.text, /Email me a code/);
      assert.doesNotMatch(page.text, /Text me a code/, 'no SMS channel, no SMS button');
      assert.match(page.text, /action="\/login\/second-factor\?return_to=%2Faccount%2Fsessions"/);

      const wrong = await browser.postForm('/login/second-factor?return_to=%2Faccount%2Fsessions', {
        _csrf: page.csrfToken(),
        method: 'totp',
        code: '12',
      });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /The code is not correct/);

      const recovery = await browser.get('/login/second-factor?method=recovery_code&return_to=%2Faccount%2Fsessions');
      assert.match(recovery.text, /Recovery code/);
      assert.match(recovery.text, /name="method" value="recovery_code"/);

      const done = await browser.postForm('/login/second-factor?return_to=%2Faccount%2Fsessions', {
        _csrf: wrong.csrfToken(),
        method: 'totp',
        code: nextTotp(secret),
        remember_device: 'on',
      });
      assert.equal(done.status, 303, done.text.slice(0, 300));
      assert.equal(done.location, '/account/sessions');
      assert.ok(browser.cookies.has(REMEMBER_COOKIE));
      assert.equal((await browser.get('/account/sessions')).status, 200);
    });

    it('"Email me a code" sends a code and shows its field', async () => {
      const { email } = await enrolledUser();
      const browser = apiClient(service);
      const form = await browser.get('/login');
      await browser.postForm('/login', { _csrf: form.csrfToken(), email, password: PASSWORD });
      const page = await browser.get('/login/second-factor');
      const sent = await browser.postForm('/login/second-factor/send', { _csrf: page.csrfToken(), method: 'email_code' });
      assert.equal(sent.status, 303);
      assert.equal(sent.location, '/login/second-factor?method=email_code&sent=1');
      const codePage = await browser.get(sent.location as string);
      assert.match(codePage.text, /We sent a code to your email address/);
      const code = loginCodeIn((await service.smtp.waitForMail(email, { subject: /sign-in code/ })).parsed.text);
      const done = await browser.postForm('/login/second-factor', { _csrf: codePage.csrfToken(), method: 'email_code', code });
      assert.equal(done.status, 303);
      assert.equal(done.location, '/');
    });

    it('an expired pending sign-in sends the user back to the password', async () => {
      const browser = apiClient(service);
      const page = await browser.get('/login/second-factor?return_to=%2Faccount');
      assert.equal(page.status, 400);
      assert.match(page.text, /Enter your password again/);
      assert.match(page.text, /href="\/login\?return_to=%2Faccount"/);
    });
  });
});

describe('AUTO_LOGIN_AFTER_RESET never signs in a user with a second factor (S17)', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  before(async () => {
    service = await startTestService({ AUTO_LOGIN_AFTER_RESET: 'true' }, { clock });
  });
  after(() => service.close());

  it('the API reset answers "sign in", sets no session, and the next login asks for the second factor', async () => {
    const email = 'reset-api@example.com';
    await registerUser(service, email, PASSWORD);
    const { secret } = await enrolSecondFactor(service, email);
    const token = await requestResetToken(service, email);
    const client = apiClient(service);
    const reset = await client.postJson('/api/password/reset', { token, password: NEW_PASSWORD });
    assert.equal(reset.status, 200);
    assert.match(reset.json().message, /Sign in with the new password/);
    assert.equal(reset.json().user, undefined);
    assert.equal(setCookieLine(reset, 'lk_session'), undefined);
    assert.equal((await client.get('/api/session')).status, 401);
    const login = await client.postJson('/api/login', { email, password: NEW_PASSWORD });
    assert.equal(login.json().secondFactorRequired, true);
    clock.advanceSeconds(30);
    const done = await client.postJson('/api/login/second-factor', { method: 'totp', code: totpCode(secret, clock.nowMs()) });
    assert.equal(done.status, 200);
  });

  it('the reset page sends such a user to the login page', async () => {
    const email = 'reset-page@example.com';
    await registerUser(service, email, PASSWORD);
    await enrolSecondFactor(service, email);
    const token = await requestResetToken(service, email);
    const browser = apiClient(service);
    assert.equal((await browser.get(`/reset-password/${token}`)).status, 303);
    const form = await browser.get('/reset-password');
    const done = await browser.postForm('/reset-password', {
      _csrf: form.csrfToken(),
      password: NEW_PASSWORD,
      password_confirm: NEW_PASSWORD,
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/login?notice=password-reset');
    assert.equal(browser.cookies.has('lk_session'), false);
  });
});

describe('an OpenID Connect sign-in through the second step', () => {
  let service: TestService;
  let clock: ManualClock;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let config: oidc.Configuration;

  before(async () => {
    let ports: OidcPortsForTest;
    ({ service, ports, clock } = await startOidcService());
    callback = await callbackServer();
    config = await relyingParty(service, await registerClient(ports, { redirectUris: [callback.url] }));
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  it('completes the interaction after the code and puts "otp" in the ID token amr', async () => {
    const email = 'oidc@example.com';
    await registerUser(service, email, PASSWORD);
    const { secret } = await enrolSecondFactor(service, email);
    const browser = apiClient(service);
    const request = await startAuthorization(config, callback.url);
    const first = await followAuthorization(browser, request.url);
    const loginAt = first.at as URL;
    assert.equal(loginAt.pathname, '/login', 'a browser without a session is sent to the login page');
    const posted = await browser.postForm(loginAt.pathname + loginAt.search, {
      _csrf: first.stopped?.csrfToken() as string,
      email,
      password: PASSWORD,
    });
    assert.equal(posted.status, 303);
    assert.match(posted.location ?? '', /^\/login\/second-factor\?return_to=%2Foidc%2Finteraction%2F/);
    const page = await browser.get(posted.location as string);
    clock.advanceSeconds(30);
    const done = await browser.postForm(posted.location as string, {
      _csrf: page.csrfToken(),
      method: 'totp',
      code: totpCode(secret, clock.nowMs()),
    });
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.match(done.location ?? '', /^\/oidc\/interaction\//);
    const outcome = await followAuthorization(browser, new URL(done.location as string, service.config.publicUrl));
    assert.ok(outcome.left, `stopped on ${outcome.stopped?.status} ${outcome.stopped?.text.slice(0, 200)}`);
    const tokens = await oidc.authorizationCodeGrant(config, outcome.left, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
    });
    const claims = await verifyJwtWithJwks(tokens.id_token as string, service.at('/oidc/jwks'));
    assert.deepEqual(claims.amr, ['pwd', 'otp']);
  });
});

describe('the second step under a base path (PUBLIC_URL=http://host/auth)', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  before(async () => {
    service = await startServiceAtOwnOrigin({}, { clock }, { path: '/auth' });
  });
  after(() => service.close());

  it('redirects, forms and cookies all stay under /auth', async () => {
    const email = 'base@example.com';
    const passwordHash = await service.deps.hasher.hashPassword(PASSWORD);
    await insertUser(service.deps.store, { id: newId(), email, passwordHash, nowMs: clock.nowMs() });
    const { secret } = await enrolSecondFactor(service, email);
    const browser = new PathCookieClient(service.config.publicUrl.origin);
    const loginPage = await browser.get('/auth/login');
    const posted = await browser.postForm(formAction(loginPage.text, '/login'), {
      _csrf: loginPage.csrfToken(),
      email,
      password: PASSWORD,
    });
    assert.equal(posted.status, 303);
    assert.equal(posted.location, '/auth/login/second-factor');
    const pending = browser.setCookies.find((line) => line.startsWith('lk_mfa_pending=')) ?? '';
    assert.match(pending, /Path=\/auth(;|$)/);
    const page = await browser.get(posted.location as string);
    assert.equal(page.status, 200);
    clock.advanceSeconds(30);
    const done = await browser.postForm(formAction(page.text, '/login/second-factor'), {
      _csrf: page.csrfToken(),
      method: 'totp',
      code: totpCode(secret, clock.nowMs()),
      remember_device: 'on',
    });
    assert.equal(done.status, 303, done.text.slice(0, 200));
    assert.equal(done.location, '/auth/');
    const remembered = browser.setCookies.find((line) => line.startsWith('lk_mfa_device=')) ?? '';
    assert.match(remembered, /Path=\/auth(;|$)/);
    assert.match((await browser.get('/auth/')).text, /Your account/, 'signed in');
  });
});
