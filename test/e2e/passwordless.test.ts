import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, setCookieLine } from '../support/flows.ts';
import {
  callbackServer,
  followAuthorization,
  registerClient,
  relyingParty,
  startAuthorization,
  startOidcService,
  verifyJwtWithJwks,
} from '../support/oidc.ts';
import { requestSignInMail, sessionAmrs, signInProofsIn, signInTokenRows } from '../support/passwordless.ts';
import { enrolSecondFactor, PENDING_COOKIE, totpCode } from '../support/second-step.ts';

const PASSWORD = 'correct horse battery';

/** Opens the mailed link like a browser: GET the link (303, token moved into a cookie), GET the page, POST its button. */
async function openAndPress(browser: TestClient, link: string, fields: Record<string, string> = {}) {
  const url = new URL(link);
  const opened = await browser.get(url.pathname + url.search);
  assert.equal(opened.status, 303, opened.text.slice(0, 300));
  const page = await browser.get(opened.location as string);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  const pressed = await browser.postForm(opened.location as string, { _csrf: page.csrfToken(), ...fields });
  return { opened, page, pressed };
}

describe('sign-in by a mailed link or code', () => {
  let service: TestService;
  const clock = new ManualClock(Date.now());
  let n = 0;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '1000/900', RATE_LIMIT_FORGOT_IP: '1000/3600' }, { clock });
  });
  after(() => service.close());

  async function account(options: { confirm?: boolean } = {}) {
    const email = `user${++n}@example.com`;
    await registerUser(service, email, PASSWORD, 'Ada', options);
    return email;
  }

  it('the login page offers "Email me a sign-in link", carrying return_to', async () => {
    const page = await new TestClient(service.url).get('/login?return_to=%2Faccount%2Fsessions');
    assert.match(page.text, /<a href="\/login\/email\?return_to=%2Faccount%2Fsessions">Email me a sign-in link<\/a>/);
    // The OpenID Connect sign-in sends people to /login?next=/oidc/interaction/<uid>: carried the same way.
    const oidc = await new TestClient(service.url).get('/login?next=%2Foidc%2Finteraction%2Fabc');
    assert.match(oidc.text, /<a href="\/login\/email\?return_to=%2Foidc%2Finteraction%2Fabc">Email me a sign-in link<\/a>/);
  });

  it('link end to end: one mail with link and code; opening it changes nothing; its button signs in (amr email); single use, and the code dies with it', async () => {
    const email = await account();
    const { mail, link, token, code } = await requestSignInMail(service, email);
    const origin = service.config.publicUrl.origin;
    assert.equal(link, `${origin}/login/link/${token}`);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
    assert.match(mail.parsed.text ?? '', /expire in 15 minutes and work once/);
    assert.match(mail.parsed.text ?? '', /^Hello Ada,/);

    // Mail scanners and previews: several GETs of the link and of its page change nothing.
    const browser = new TestClient(service.url);
    for (let i = 0; i < 3; i++) {
      const opened = await browser.get(`/login/link/${token}`);
      assert.equal(opened.status, 303);
      assert.equal(opened.location, '/login/link', 'the token leaves the address bar');
      assert.match(setCookieLine(opened, 'lk_login_link') ?? '', /HttpOnly; SameSite=Lax/);
      assert.match(setCookieLine(opened, 'lk_login_link') ?? '', /Path=\/login\/link/);
      const page = await browser.get('/login/link');
      assert.equal(page.status, 200);
      assert.match(page.text, /<button type="submit">Sign in<\/button>/);
    }
    assert.equal(await new TestClient(service.url).get(`/login/link/${token}`).then((r) => r.status), 303, 'another browser too');
    assert.deepEqual(
      (await signInTokenRows(service, email)).map((r) => [r.purpose, r.used_at, r.revoked_at]),
      [
        ['login-link', null, null],
        ['signin-code', null, null],
      ],
      'nothing used by the GETs',
    );
    assert.equal(setCookieLine(await browser.get('/login/link'), 'lk_session'), undefined);

    const page = await browser.get('/login/link');
    const pressed = await browser.postForm('/login/link', { _csrf: page.csrfToken() });
    assert.equal(pressed.status, 303);
    assert.equal(pressed.location, '/');
    assert.ok(setCookieLine(pressed, 'lk_session'), 'session cookie');
    assert.ok(setCookieLine(pressed, 'lk_device'), 'device cookie, as after a password');
    const session = await browser.get('/api/session', { origin });
    assert.equal(session.status, 200);
    assert.equal(session.json().user.email, email);
    assert.deepEqual(await sessionAmrs(service, email), ['email']);
    const user = await service.deps.store.users.findByCanonicalEmail(email);
    const events = await service.deps.store.audit.listForUser(user!.id);
    assert.ok(events.some((e) => e.type === 'login.succeeded' && String(e.detail).includes('"firstFactor":"email"')));
    assert.ok(events.some((e) => e.type === 'login.link_requested'));

    // Single use; the code of the same mail is dead too.
    const again = await new TestClient(service.url).get(`/login/link/${token}`);
    assert.equal(again.status, 400);
    assert.match(again.text, /already been used/);
    assert.match(again.text, /href="\/login\/email">Send me a new sign-in link/);
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/login/email/verify', { token })).json().error.code, 'TOKEN_USED');
    const byCode = await api.postJson('/api/login/email/verify', { email, code });
    assert.equal(byCode.status, 400);
    assert.equal(byCode.json().error.code, 'CODE_INVALID');
    assert.deepEqual(await sessionAmrs(service, email), ['email'], 'still one session');
  });

  it('code end to end through the pages: the request form, "check your inbox", the code signs in; the link dies with it', async () => {
    const email = await account();
    const browser = new TestClient(service.url);
    const form = await browser.get('/login/email');
    assert.equal(form.status, 200);
    const asked = await browser.postForm('/login/email', { _csrf: form.csrfToken(), email: ` ${email.toUpperCase()} ` });
    assert.equal(asked.status, 303);
    assert.equal(asked.location, `/login/email/code?email=${encodeURIComponent(email.toUpperCase())}`);
    const inbox = await browser.get(asked.location as string);
    assert.match(inbox.text, /If an account uses that address, we have sent it a sign-in link and a code of 8 digits/);
    assert.match(inbox.text, new RegExp(`name="email" type="email" autocomplete="email" value="${email.toUpperCase()}"`));
    const { token, code } = signInProofsIn(await service.smtp.waitForMail(email, { subject: /^Sign in to/ }));

    const wrong = await browser.postForm('/login/email/code', {
      _csrf: inbox.csrfToken(),
      email,
      code: String((Number(code) + 1) % 1e8).padStart(8, '0'),
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /The code is not correct/);
    const done = await browser.postForm('/login/email/code', {
      _csrf: wrong.csrfToken(),
      email,
      code: `${code.slice(0, 4)} ${code.slice(4)}`,
      remember: 'on',
    });
    assert.equal(done.status, 303, done.text.slice(0, 300));
    assert.equal(done.location, '/');
    assert.match(setCookieLine(done, 'lk_session') ?? '', /Max-Age=\d+/, '"keep me signed in": a persistent cookie');
    assert.deepEqual(await sessionAmrs(service, email), ['email']);
    const link = await apiClient(service).postJson('/api/login/email/verify', { token });
    assert.equal(link.json().error.code, 'TOKEN_REVOKED');
  });

  it('the API signs in with the token or with the code, like POST /api/login', async () => {
    const email = await account();
    const first = await requestSignInMail(service, email);
    const api = apiClient(service);
    const byToken = await api.postJson('/api/login/email/verify', { token: first.token });
    assert.equal(byToken.status, 200, byToken.text);
    assert.equal(byToken.json().user.email, email);
    assert.ok(api.cookies.get('lk_session'));
    const second = await requestSignInMail(service, email);
    const other = apiClient(service);
    const byCode = await other.postJson('/api/login/email/verify', { email, code: second.code, remember: true });
    assert.equal(byCode.status, 200, byCode.text);
    assert.equal((await other.get('/api/session')).json().user.email, email);
  });

  it('a newer mail replaces the older one: only the newest link and code work', async () => {
    const email = await account();
    const older = await requestSignInMail(service, email);
    const newer = await requestSignInMail(service, email);
    const api = apiClient(service);
    assert.deepEqual((await api.postJson('/api/login/email/verify', { token: older.token })).json().error, {
      code: 'TOKEN_REVOKED',
      message:
        'This link is no longer valid: a newer sign-in mail was sent, its code was used, or the account changed since. Request a new one.',
    });
    const page = await new TestClient(service.url).get(`/login/link/${older.token}`);
    assert.equal(page.status, 400);
    assert.match(page.text, /a newer sign-in mail was sent/);
    assert.equal((await api.postJson('/api/login/email/verify', { email, code: older.code })).json().error.code, 'CODE_INVALID');
    assert.equal((await api.postJson('/api/login/email/verify', { email, code: newer.code })).status, 200);
  });

  it('link and code expire after 15 minutes', async () => {
    const email = await account();
    const first = await requestSignInMail(service, email);
    clock.advanceSeconds(14 * 60);
    assert.equal((await new TestClient(service.url).get(`/login/link/${first.token}`)).status, 303, 'still good at 14 minutes');
    clock.advanceSeconds(60);
    const expired = await new TestClient(service.url).get(`/login/link/${first.token}`);
    assert.equal(expired.status, 400);
    assert.match(expired.text, /This link has expired/);
    const api = apiClient(service);
    assert.equal((await api.postJson('/api/login/email/verify', { token: first.token })).json().error.code, 'TOKEN_EXPIRED');
    assert.equal((await api.postJson('/api/login/email/verify', { email, code: first.code })).json().error.code, 'CODE_INVALID');
    assert.deepEqual(await sessionAmrs(service, email), []);
  });

  it('the link confirms an unconfirmed address (the user read that mailbox)', async () => {
    const email = await account({ confirm: false });
    const before = await service.deps.store.users.findByCanonicalEmail(email);
    assert.equal(before?.email_confirmed_at, null);
    const { link } = await requestSignInMail(service, email);
    assert.match(link, /\/login\/link\//);
    const { pressed } = await openAndPress(new TestClient(service.url), link);
    assert.equal(pressed.status, 303);
    const user = await service.deps.store.users.findByCanonicalEmail(email);
    assert.notEqual(user?.email_confirmed_at, null);
    const events = await service.deps.store.audit.listForUser(user!.id);
    assert.ok(events.some((e) => e.type === 'email.confirmed' && String(e.detail).includes('signin-link')));
    assert.equal(
      (await apiClient(service).postJson('/api/login', { email, password: PASSWORD })).status,
      200,
      'a password sign-in works now',
    );
  });

  it('an account with an authenticator app still goes through the second step (amr email otp)', async () => {
    const email = await account();
    const { secret } = await enrolSecondFactor(service, email);
    // API: the same answer as POST /api/login gives for a second factor; no session.
    const first = await requestSignInMail(service, email);
    const api = apiClient(service);
    const answer = await api.postJson('/api/login/email/verify', { token: first.token });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { secondFactorRequired: true, methods: ['totp', 'recovery_code', 'email_code'] });
    assert.equal(setCookieLine(answer, 'lk_session'), undefined);
    assert.ok(api.cookies.get(PENDING_COOKIE));
    assert.equal((await api.get('/api/session')).status, 401);
    assert.deepEqual(await sessionAmrs(service, email), []);
    clock.advanceSeconds(30);
    const done = await api.postJson('/api/login/second-factor', { method: 'totp', code: totpCode(secret, clock.nowMs()) });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(await sessionAmrs(service, email), ['email otp']);

    // Pages: the link's button leads to /login/second-factor, return_to kept.
    const second = await requestSignInMail(service, email, { return_to: '/account/sessions' });
    const browser = new TestClient(service.url);
    const { pressed } = await openAndPress(browser, second.link);
    assert.equal(pressed.status, 303);
    assert.equal(pressed.location, '/login/second-factor?return_to=%2Faccount%2Fsessions');
    assert.equal(setCookieLine(pressed, 'lk_session'), undefined);
    assert.ok(browser.cookies.get(PENDING_COOKIE));
    const step = await browser.get(pressed.location as string);
    assert.equal(step.status, 200);
    clock.advanceSeconds(30);
    const signed = await browser.postForm(pressed.location as string, {
      _csrf: step.csrfToken(),
      method: 'totp',
      code: totpCode(secret, clock.nowMs()),
    });
    assert.equal(signed.status, 303);
    assert.equal(signed.location, '/account/sessions');
  });

  it('return_to survives the request form, the mail, the link and the code form; a foreign one is ignored', async () => {
    const email = await account();
    const browser = new TestClient(service.url);
    const form = await browser.get('/login/email?return_to=%2Faccount%2Fpassword');
    assert.match(form.text, /action="\/login\/email\?return_to=%2Faccount%2Fpassword"/);
    const asked = await browser.postForm('/login/email?return_to=%2Faccount%2Fpassword', { _csrf: form.csrfToken(), email });
    assert.equal(asked.location, `/login/email/code?email=${encodeURIComponent(email)}&return_to=%2Faccount%2Fpassword`);
    const mail = await service.smtp.waitForMail(email, { subject: /^Sign in to/ });
    assert.match(mail.parsed.text ?? '', /\/login\/link\/[A-Za-z0-9_-]{43}\?return_to=%2Faccount%2Fpassword/);
    const { link, token, code } = signInProofsIn(mail);
    assert.equal(link, `${service.config.publicUrl.origin}/login/link/${token}?return_to=%2Faccount%2Fpassword`);
    const { opened, pressed } = await openAndPress(browser, link);
    assert.equal(opened.location, '/login/link?return_to=%2Faccount%2Fpassword');
    assert.equal(pressed.location, '/account/password');
    // The code form keeps it too (a newer mail: the first one is used).
    const inbox = await browser.get(asked.location as string);
    assert.match(inbox.text, /action="\/login\/email\/code\?return_to=%2Faccount%2Fpassword"/);
    assert.ok(code);
    const next = await requestSignInMail(service, email);
    const byCode = await browser.postForm('/login/email/code?return_to=%2Faccount%2Fpassword', {
      _csrf: inbox.csrfToken(),
      email,
      code: next.code,
    });
    assert.equal(byCode.location, '/account/password');
    // A foreign return_to is dropped, in the API and the pages alike.
    const foreign = await requestSignInMail(service, email, { return_to: '//evil.example/x' });
    assert.doesNotMatch(foreign.mail.parsed.text ?? '', /return_to|evil/);
    const evil = await openAndPress(new TestClient(service.url), `${foreign.link}?return_to=https%3A%2F%2Fevil.example%2F`);
    assert.equal(evil.pressed.location, '/');
  });
});

describe('an OpenID Connect sign-in by a mailed link', () => {
  let service: TestService;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let config: oidc.Configuration;
  before(async () => {
    let ports: Parameters<typeof registerClient>[0];
    ({ service, ports } = await startOidcService());
    callback = await callbackServer();
    config = await relyingParty(service, await registerClient(ports, { redirectUris: [callback.url] }));
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  it('goes from the login page through the mail back to the interaction, and puts "email" in the ID token amr', async () => {
    const email = 'oidc@example.com';
    await registerUser(service, email, PASSWORD);
    const browser = apiClient(service);
    const request = await startAuthorization(config, callback.url);
    const first = await followAuthorization(browser, request.url);
    assert.equal((first.at as URL).pathname, '/login');
    const emailLink = /<a href="([^"]+)">Email me a sign-in link<\/a>/.exec(first.stopped?.text ?? '')?.[1]?.replaceAll('&amp;', '&');
    assert.match(emailLink ?? '', /^\/login\/email\?return_to=%2Foidc%2Finteraction%2F/);
    const form = await browser.get(emailLink as string);
    const asked = await browser.postForm(emailLink as string, { _csrf: form.csrfToken(), email });
    assert.equal(asked.status, 303);
    const { link } = signInProofsIn(await service.smtp.waitForMail(email, { subject: /^Sign in to/ }));
    const { pressed } = await openAndPress(browser, link);
    assert.equal(pressed.status, 303);
    assert.match(pressed.location ?? '', /^\/oidc\/interaction\//);
    const outcome = await followAuthorization(browser, new URL(pressed.location as string, service.config.publicUrl));
    assert.ok(outcome.left, `stopped on ${outcome.stopped?.status} ${outcome.stopped?.text.slice(0, 200)}`);
    const tokens = await oidc.authorizationCodeGrant(config, outcome.left, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
    });
    const claims = await verifyJwtWithJwks(tokens.id_token as string, service.at('/oidc/jwks'));
    assert.deepEqual(claims.amr, ['email']);
  });
});

describe('PASSWORDLESS=off', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ PASSWORDLESS: 'off' });
    await registerUser(service, 'ada@example.com', PASSWORD);
  });
  after(() => service.close());

  it('every route of the flow answers 404 NOT_FOUND and the login page has no link to it', async () => {
    const api = apiClient(service);
    for (const [path, body] of [
      ['/api/login/email', { email: 'ada@example.com' }],
      ['/api/login/email/verify', { email: 'ada@example.com', code: '12345678' }],
    ] as const) {
      const answer = await api.postJson(path, body);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.json().error.code, 'NOT_FOUND');
    }
    const browser = new TestClient(service.url);
    for (const path of ['/login/email', '/login/email/code', `/login/link/${'a'.repeat(43)}`, '/login/link']) {
      assert.equal((await browser.get(path)).status, 404, path);
    }
    const login = await browser.get('/login');
    assert.equal(login.status, 200);
    assert.doesNotMatch(login.text, /login\/email|sign-in link/);
  });
});
