import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestService } from '../support/app.ts';
import { formAction, linkHref, PathCookieClient, pathsInPage } from '../support/path-cookie-client.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import type { ReceivedMail } from '../support/smtp.ts';

const BASE = '/auth';

/**
 * PUBLIC_URL=http://127.0.0.1:<port>/auth: the whole recovery flow, driven like a browser through
 * the pages over real HTTP (links and form actions taken from the pages and mails, cookies sent
 * only to their Path), with every link, redirect and cookie path checked to carry the base path.
 */
describe('Latchkey under a path: recovery from registration to sign-in', () => {
  let service: TestService;
  let origin: string;
  before(async () => {
    service = await startServiceAtOwnOrigin({}, {}, { path: BASE });
    origin = service.config.publicUrl.origin;
  });
  after(() => service.close());

  /** Every path in the page is under the base path; absolute links go to PUBLIC_URL. */
  function assertPagePathsUnderBase(page: string, where: string) {
    const paths = pathsInPage(page);
    assert.ok(paths.length > 0, `${where}: the page has links`);
    for (const path of paths) {
      assert.ok(path === `${BASE}/` || path.startsWith(`${BASE}/`), `${where}: "${path}" is outside ${BASE}`);
    }
  }
  function assertRedirectUnderBase(location: string | null, expected: string) {
    assert.equal(location, `${BASE}${expected}`);
  }
  /** Every URL in the mail (text and HTML parts) starts with PUBLIC_URL, path included. */
  function mailLinks(mail: ReceivedMail): string[] {
    const urls = [...`${mail.parsed.text ?? ''}\n${mail.parsed.html ?? ''}`.matchAll(/https?:\/\/[^\s"<]+/g)].map((m) => m[0]);
    assert.ok(urls.length > 0, `mail "${mail.parsed.subject}" has links`);
    for (const url of urls) assert.ok(url.startsWith(`${origin}${BASE}/`), `mail link ${url} is not under ${origin}${BASE}/`);
    return urls;
  }
  function assertCookiePathsUnderBase(client: PathCookieClient) {
    assert.ok(client.setCookies.length > 0);
    for (const line of client.setCookies) {
      const path = /;\s*Path=([^;]+)/i.exec(line)?.[1];
      assert.ok(path === BASE || path?.startsWith(`${BASE}/`), `Set-Cookie without the base path: ${line}`);
    }
  }

  it('registers, confirms, forgets the password, resets it from the mail and signs in, all under /auth', async () => {
    const browser = new PathCookieClient(origin);
    const email = 'grace@example.com';

    // Start page -> register page, through the links the pages carry.
    const home = await browser.get(`${BASE}/`);
    assert.equal(home.status, 200);
    assertPagePathsUnderBase(home.text, 'start page');
    const registerPage = await browser.get(linkHref(home.text, '/register'));
    assertPagePathsUnderBase(registerPage.text, 'register page');
    const registered = await browser.postForm(formAction(registerPage.text, '/register'), {
      _csrf: registerPage.csrfToken(),
      name: 'Grace',
      email,
      password: 'first long passphrase',
      password_confirm: 'first long passphrase',
    });
    assert.equal(registered.status, 303, registered.text.slice(0, 300));
    assertRedirectUnderBase(registered.location, '/check-inbox');
    const inbox = await browser.get(registered.location as string);
    assert.ok(inbox.text.includes(email), 'the check-inbox cookie reached its page under /auth');
    assertPagePathsUnderBase(inbox.text, 'check-inbox page');

    // The confirmation link from the welcome mail: its landing cookie is scoped under /auth too.
    const welcome = await service.smtp.waitForMail(email, { subject: /Welcome/ });
    const confirmLink = mailLinks(welcome).find((u) => u.includes('/confirm-email/')) as string;
    const opened = await browser.get(confirmLink);
    assert.equal(opened.status, 303);
    assertRedirectUnderBase(opened.location, '/confirm-email');
    const landing = await browser.get(opened.location as string);
    assert.equal(landing.status, 200, 'the landing cookie reached the landing page');
    const confirmed = await browser.postForm(formAction(landing.text, '/confirm-email'), { _csrf: landing.csrfToken() });
    assertRedirectUnderBase(confirmed.location, '/login?notice=email-confirmed');

    // Forgot password, reached from the login page's link.
    const login = await browser.get(confirmed.location as string);
    assertPagePathsUnderBase(login.text, 'login page');
    const forgotPage = await browser.get(linkHref(login.text, '/forgot-password'));
    assertPagePathsUnderBase(forgotPage.text, 'forgot page');
    const forgot = await browser.postForm(formAction(forgotPage.text, '/forgot-password'), { _csrf: forgotPage.csrfToken(), email });
    assert.equal(forgot.status, 303);
    assertRedirectUnderBase(forgot.location, '/check-inbox');
    const sent = await browser.get(forgot.location as string);
    assert.ok(sent.text.includes(email), 'check-inbox names the address');
    assertPagePathsUnderBase(sent.text, 'check-inbox page after forgot');

    // The mailed link moves the token into a cookie scoped to /auth/reset-password and redirects.
    const resetMail = await service.smtp.waitForMail(email, { subject: /Reset your password/ });
    const resetLink = mailLinks(resetMail).find((u) => u.includes('/reset-password/')) as string;
    assert.match(resetLink, new RegExp(`^${origin}${BASE}/reset-password/[A-Za-z0-9_-]{43}$`));
    const openedReset = await browser.get(resetLink);
    assert.equal(openedReset.status, 303);
    assertRedirectUnderBase(openedReset.location, '/reset-password');
    assert.match(browser.setCookies.at(-1) ?? '', /^lk_reset=[^;]+;.*Path=\/auth\/reset-password;/);
    assert.deepEqual(browser.cookiesFor('/reset-password'), [], 'the reset cookie never goes outside /auth');
    const form = await browser.get(openedReset.location as string);
    assert.equal(form.status, 200, form.text.slice(0, 300));
    assertPagePathsUnderBase(form.text, 'reset form');
    const reset = await browser.postForm(formAction(form.text, '/reset-password'), {
      _csrf: form.csrfToken(),
      password: 'second long passphrase',
      password_confirm: 'second long passphrase',
    });
    assert.equal(reset.status, 303, reset.text.slice(0, 300));
    assertRedirectUnderBase(reset.location, '/login?notice=password-reset');
    mailLinks(await service.smtp.waitForMail(email, { subject: /password was changed/ }));

    // Sign in with the new password on the login page the redirect names.
    const loginAgain = await browser.get(reset.location as string);
    assertPagePathsUnderBase(loginAgain.text, 'login page after reset');
    const signedIn = await browser.postForm(formAction(loginAgain.text, '/login'), {
      _csrf: loginAgain.csrfToken(),
      email,
      password: 'second long passphrase',
    });
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 300));
    assertRedirectUnderBase(signedIn.location, '/');
    assert.ok(browser.cookiesFor(`${BASE}/`).includes('lk_session'));
    assert.deepEqual(browser.cookiesFor('/'), [], 'an app on the same origin, outside /auth, receives no Latchkey cookie');
    const account = await browser.get(signedIn.location as string);
    assert.equal(account.status, 200);
    assert.match(account.text, /Your account/);
    assert.match(account.text, /grace@example\.com/);
    assertPagePathsUnderBase(account.text, 'account page');

    // A page that needs a session sends a signed-out visitor to the login page under /auth.
    const stranger = new PathCookieClient(origin);
    const guarded = await stranger.get(`${BASE}/account/password`);
    assertRedirectUnderBase(guarded.location, '/login?next=%2Faccount%2Fpassword');

    // Sign out through the header's form.
    const signedOut = await browser.postForm(formAction(account.text, '/logout'), { _csrf: account.csrfToken() });
    assertRedirectUnderBase(signedOut.location, '/login?notice=signed-out');
    assert.deepEqual(
      browser.cookiesFor(`${BASE}/`).filter((name) => name === 'lk_session'),
      [],
      'the session cookie is cleared on its own path',
    );
    assertCookiePathsUnderBase(browser);
  });

  it('answers 404 to every path outside the base path, however close', async () => {
    const client = new PathCookieClient(origin, { origin });
    for (const path of ['/', '/login', '/api/session', '/reset-password', '/assets/style.css', '/authx/login', '/Auth/login', '/healthz']) {
      const response = await client.get(path);
      assert.equal(response.status, 404, path);
      assert.ok(response.headers.get('content-security-policy'), `${path}: security headers on the 404 too`);
    }
    const api = await client.request('POST', '/api/login', {
      body: JSON.stringify({ email: 'grace@example.com', password: 'second long passphrase' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(api.status, 404);
    assert.equal(api.headers.getSetCookie().length, 0);
    assert.equal((await client.get(`${BASE}/healthz`)).status, 200, 'probes live under the base path too');
    // Malformed addresses are refused before routing, where no hook runs: the page's links still carry the base path.
    for (const path of [`${BASE}/%`, `${BASE}/reset-password/${'a'.repeat(300)}`]) {
      const malformed = await client.get(path);
      assert.equal(malformed.status, 400, path);
      assertPagePathsUnderBase(malformed.text, `error page for ${path.slice(0, 30)}`);
    }
  });
});
