import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { OidcPorts } from '../../src/deps/oidc.ts';
import { axeWalk } from '../support/accessibility.ts';
import { linkIn } from '../support/accounts.ts';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, signInThroughPage } from '../support/browser.ts';
import { apiClient, registerUser, tokenOf } from '../support/flows.ts';
import { callbackServer, registerClient, relyingParty, startAuthorization } from '../support/oidc.ts';
import { signInProofsIn } from '../support/passwordless.ts';
import { loginCodeIn } from '../support/second-step.ts';
import { TestSmsServer } from '../support/sms-server.ts';
import { totpCode } from '../support/totp.ts';
import { addVirtualAuthenticator, startServiceOnLocalhost, type VirtualAuthenticator } from '../support/webauthn.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const NEW_EMAIL = 'ada.new@example.org';
const PHONE = '+14155550123';
// Registered without a password (PASSWORD_OPTIONAL): it sets one through "Set a password".
const PASSWORDLESS = 'lin@example.com';
const LATER_PASSWORD = 'a password set later on';

/**
 * The pages accessibility.browser.test.ts does not reach, in each of their states (empty, with
 * errors, after success): the email-change links, "Set a password", passkeys with one listed,
 * the second step by a mailed code, a text and a recovery code, new recovery codes, the verified
 * phone, the OpenID Connect consent page, and a few pages in German and Japanese. Each passes axe
 * at WCAG 2.1 AA in the light and the dark color scheme and names its step in its <title>.
 * The service runs on `localhost` (passkeys need a host name, not an IP address).
 */
describe('accessibility of the remaining pages in Chromium (axe, WCAG 2.1 AA, light and dark)', () => {
  const sms = new TestSmsServer();
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let recoveryCodes: string[] = [];
  const problems: string[] = [];
  let setupError: unknown;
  /** A URL at PUBLIC_URL's origin (localhost): the one the pages' requests must come from. */
  const at = (path: string) => new URL(path, service.config.publicUrl).href;

  const { titles, step, audit, visit, submit } = axeWalk({ page: () => page, at: (path) => at(path), setupError: () => setupError });
  const signOut = async () => {
    await page.goto(at('/logout'));
    await submit('Sign out');
  };
  /** Signs in with the password and waits for the second step. */
  const passwordStep = async () => {
    await signInThroughPage(page, at('/login'), EMAIL, PASSWORD);
    await page.waitForURL((url) => url.pathname === '/login/second-factor');
  };
  const finishSecondStep = async (code: string) => {
    await page.locator('#code').fill(code);
    await submit('Continue');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
  };

  before(async () => {
    try {
      const smsUrl = `${await sms.start()}/sms`;
      browser = await launchChromium();
      service = await startServiceOnLocalhost({ PASSWORD_OPTIONAL: 'true', SMS_URL: smsUrl, USERNAMES: 'optional' });
      await registerUser(service, EMAIL, PASSWORD, 'Ada');
      const registered = await apiClient(service).postJson('/api/register', { email: PASSWORDLESS });
      assert.equal(registered.status, 202, registered.text);
      const welcome = await service.smtp.waitForMail(PASSWORDLESS, { subject: /Welcome/ });
      const confirmed = await apiClient(service).postJson('/api/confirm', { token: tokenOf(linkIn(welcome, '/confirm-email/')) });
      assert.equal(confirmed.status, 200, confirmed.text);
      context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
      page = await context.newPage();
      collectPageProblems(page, problems);
      authenticator = await addVirtualAuthenticator(context, page);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
    await sms.stop();
  });

  step('set a password: signed in by a mailed code (a wrong one first), mismatched, then success', async () => {
    await page.goto(at('/login/email'));
    await page.getByLabel('Email address').fill(PASSWORDLESS);
    await submit('Email me a sign-in link');
    const { code } = signInProofsIn(await service.smtp.waitForMail(PASSWORDLESS, { subject: /^Sign in to/ }));
    await page.getByLabel('Code', { exact: true }).fill(code === '00000000' ? '11111111' : '00000000');
    await submit('Sign in');
    await audit('email sign-in code');
    await page.getByLabel('Code', { exact: true }).fill(code);
    await submit('Sign in');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await visit('/account/password', 'set a password');
    await page.getByLabel('New password', { exact: true }).fill(LATER_PASSWORD);
    await page.getByLabel('New password again').fill('something else entirely');
    await submit('Set password');
    await audit('set a password');
    await page.getByLabel('New password', { exact: true }).fill(LATER_PASSWORD);
    await page.getByLabel('New password again').fill(LATER_PASSWORD);
    await submit('Set password');
    await audit(new URL(page.url()).pathname === '/' ? 'account' : 'sign in');
    await signOut();
  });

  step('passkeys: one added and listed, renamed to a blank name, then to a new one', async () => {
    await signInThroughPage(page, at('/login'), EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.goto(at('/account/passkeys'));
    await page.getByLabel('Name of the new passkey').fill('Work laptop');
    await submit('Add a passkey');
    await page.locator('.notice, .passkey-status:not(:empty)').first().waitFor();
    assert.equal(new URL(page.url()).search, '?notice=added', (await page.locator('main').textContent()) ?? '');
    await page.getByRole('listitem').filter({ hasText: 'Work laptop' }).waitFor();
    await audit('passkeys');
    await page.getByLabel('New name for Work laptop').fill('   ');
    await submit('Rename');
    await audit('passkeys');
    await page.getByLabel('New name for Work laptop').fill('Home laptop');
    await submit('Rename');
    await page.getByRole('listitem').filter({ hasText: 'Home laptop' }).waitFor();
    await audit('passkeys');
    // Without it, the sign-in pages' passkey autofill would sign in before the second step.
    await authenticator.remove();
  });

  step('phone: verified by the texted code', async () => {
    await page.goto(at('/account/phone'));
    await page.getByLabel('Phone number').fill(PHONE);
    await submit('Send a code');
    const code = /^(\d{6}) /.exec((await sms.waitFor(PHONE)).body)?.[1] ?? '';
    await page.getByLabel(/code/i).first().fill(code);
    await submit('Verify the number');
    await page.waitForURL((url) => url.pathname === '/account/phone' || url.pathname === '/');
    await visit('/account/phone', 'phone');
    assert.match((await page.locator('main').textContent()) ?? '', /Remove this phone number/);
  });

  step('two-step sign-in on, then new recovery codes', async () => {
    await page.goto(at('/account/two-factor'));
    await submit('Set up an authenticator app');
    await page.waitForURL((url) => url.pathname === '/account/two-factor/setup');
    const secret = ((await page.locator('#secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await submit('Turn on two-step sign-in');
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await visit('/account/two-factor/recovery-codes', 'make new recovery codes');
    await submit('Make new codes');
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await audit('recovery codes');
    recoveryCodes = await page.locator('#recovery-codes code').allTextContents();
    assert.equal(recoveryCodes.length, 10);
  });

  step('the second step by a mailed code: sent, a wrong code, then success', async () => {
    await signOut();
    await passwordStep();
    await submit('Email me a code');
    await audit('second step');
    const code = loginCodeIn((await service.smtp.waitForMail(EMAIL, { subject: /sign-in code/ })).parsed.text);
    await page.locator('#code').fill(code === '000000' ? '111111' : '000000');
    await submit('Continue');
    await audit('second step');
    await finishSecondStep(code);
  });

  step('the second step by a text message: sent, a wrong code, then success', async () => {
    await signOut();
    await passwordStep();
    await submit('Text me a code');
    await audit('second step');
    const code = /^(\d{6}) /.exec((await sms.waitFor(PHONE, { after: 1 })).body)?.[1] ?? '';
    await page.locator('#code').fill(code === '000000' ? '111111' : '000000');
    await submit('Continue');
    await audit('second step');
    await finishSecondStep(code);
  });

  step('the second step by a recovery code: a wrong code, then success', async () => {
    await signOut();
    await passwordStep();
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await audit('second step');
    await page.locator('#code').fill('aaaa-bbbb-cccc');
    await submit('Continue');
    await audit('second step');
    await finishSecondStep(recoveryCodes[0] ?? '');
  });

  step('OpenID Connect: the consent page for an application that is not first-party, and a lost request', async () => {
    const callback = await callbackServer();
    try {
      const ports = service.deps.oidc as OidcPorts;
      const client = await registerClient(ports, { name: 'Photo Printer', redirectUris: [callback.url], skipConsent: false });
      const { url } = await startAuthorization(await relyingParty(service, client), callback.url);
      await page.goto(url.href);
      await page.waitForURL((u) => u.pathname.startsWith('/oidc/interaction/'));
      await page.getByRole('heading', { name: 'Allow Photo Printer to sign you in?' }).waitFor();
      await audit('consent');
      await visit('/oidc/interaction/no-such-interaction', 'sign-in request problem');
    } finally {
      await callback.close();
    }
  });

  step('email change: the confirm and undo links, their buttons, and a used link', async () => {
    await page.goto(at('/account/email'));
    await page.getByLabel('New email address').fill(NEW_EMAIL);
    await page.getByLabel('Your password').fill(PASSWORD);
    await submit('Send confirmation link');
    await page.waitForURL((url) => url.pathname === '/');
    const confirm = linkIn(await service.smtp.waitForMail(NEW_EMAIL, { subject: /Confirm your new/ }), '/email-change/confirm/');
    const undo = linkIn(await service.smtp.waitForMail(EMAIL, { subject: /being changed/ }), '/email-change/undo/');
    await page.goto(confirm);
    await page.waitForURL((url) => url.pathname === '/email-change/confirm');
    await audit('confirm new email');
    await submit('Confirm new address');
    await page.waitForURL((url) => url.search === '?notice=email-changed');
    await audit('account');
    await page.goto(confirm);
    await audit('link problem');
    await page.goto(undo);
    await page.waitForURL((url) => url.pathname === '/email-change/undo');
    await audit('undo email change');
    await submit('Cancel the change and secure my account');
    await page.waitForURL((url) => url.pathname === '/login');
    await audit('sign in');
    await visit('/email-change/undo', 'link problem');
  });

  step('German and Japanese: sign in, register, a wrong password, the account page', async () => {
    for (const lang of ['de', 'ja']) {
      await context.clearCookies();
      await visit(`/login?lang=${lang}`, 'sign in');
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await visit(`/register?lang=${lang}`, 'register');
      await page.goto(at('/login'));
      assert.equal(await page.getAttribute('html', 'lang'), lang, 'the language is remembered');
      await page.locator('#email').fill(PASSWORDLESS);
      await page.locator('#password').fill('not the password');
      await page.locator('#password').press('Enter');
      await page.locator('[role=alert]').first().waitFor();
      await audit('sign in');
      await page.locator('#email').fill(PASSWORDLESS);
      await page.locator('#password').fill(LATER_PASSWORD);
      await page.locator('#password').press('Enter');
      await page.waitForURL((url) => url.pathname === '/');
      await audit('account');
      await visit('/no-such-page', 'not found');
    }
  });

  step('different steps never share a title', () => {
    assert.deepEqual(titles.shared(), []);
  });

  step('logged no console, CSP or script errors', () => {
    assert.deepEqual(problems, []);
  });
});
