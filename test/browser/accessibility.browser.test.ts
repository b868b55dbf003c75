import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeWalk } from '../support/accessibility.ts';
import { linkIn } from '../support/accounts.ts';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, signInThroughPage } from '../support/browser.ts';
import { registerUser } from '../support/flows.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { totpCode } from '../support/totp.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const NEWCOMER = 'grace@example.com';
// Own accounts for the mail-sending forms: each address gets only so many mails an hour.
const MAILED = 'lin@example.com';
const RESETTER = 'rosalind@example.com';

/** Presses Tab from the top of the page until `selector` has the focus (at most 30 times). */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 30; presses++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

/**
 * Every page, in each of its states (empty, with errors, after success), passes axe at WCAG 2.1
 * AA in the light and the dark color scheme, and names its step in a <title> no other step uses.
 */
describe('accessibility of every page in Chromium (axe, WCAG 2.1 AA, light and dark)', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret = '';
  const problems: string[] = [];
  let setupError: unknown;

  const { titles, step, audit, visit, submit } = axeWalk({
    page: () => page,
    at: (path) => service.at(path),
    setupError: () => setupError,
  });

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceAtOwnOrigin({ USERNAMES: 'optional' });
      await registerUser(service, EMAIL, PASSWORD, 'Ada');
      await registerUser(service, MAILED, PASSWORD, 'Lin');
      await registerUser(service, RESETTER, PASSWORD, 'Rosalind');
    } catch (err) {
      setupError = err;
      return;
    }
    context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    page = await context.newPage();
    collectPageProblems(page, problems);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  step('signed-out pages, empty', async () => {
    await visit('/', 'welcome');
    await visit('/login', 'sign in');
    await visit('/register', 'register');
    await visit('/forgot-password', 'forgot password');
    await visit('/reset/code', 'reset code');
    await visit('/forgot-username', 'forgot username');
    await visit('/confirm/resend', 'resend confirmation');
    await visit('/login/email', 'email sign-in');
    await visit('/reset-password', 'reset link problem');
    await visit('/no-such-page', 'not found');
    await visit('/dev/mailbox', 'dev mailbox');
  });

  step('focus is visible: an outline around the field and the link reached with Tab', async () => {
    await page.goto(service.at('/login'));
    for (const selector of ['#password', 'a[href="/forgot-password"]']) {
      await tabTo(page, selector);
      const outline = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement as Element);
        return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
      });
      assert.notEqual(outline.style, 'none', `${selector} shows an outline when focused by keyboard`);
      assert.ok(outline.width >= 2, `${selector} has an outline at least 2px wide (${outline.width}px)`);
    }
  });

  step('signs in by keyboard alone: Tab to the fields, type, Enter', async () => {
    const keyboard = await browser.newContext();
    try {
      const p = await keyboard.newPage();
      collectPageProblems(p, problems);
      await p.goto(service.at('/login'));
      await tabTo(p, '#email');
      await p.keyboard.type(EMAIL);
      await tabTo(p, '#password');
      await p.keyboard.type(PASSWORD);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Your account' }).waitFor();
    } finally {
      await keyboard.close();
    }
  });

  step('asks for a reset link by keyboard alone', async () => {
    const keyboard = await browser.newContext();
    try {
      const p = await keyboard.newPage();
      collectPageProblems(p, problems);
      await p.goto(service.at('/forgot-password'));
      await tabTo(p, '#email');
      await p.keyboard.type(EMAIL);
      await p.keyboard.press('Enter');
      // The answer is a redirect to "check your inbox", which names the address typed.
      await p.waitForURL((url) => url.pathname === '/check-inbox');
      assert.equal(await p.getByRole('heading', { level: 1 }).textContent(), 'Check your inbox for the reset link');
      assert.match((await p.locator('main').textContent()) ?? '', new RegExp(EMAIL.replace('.', '\\.')));
      assert.equal(await p.locator('[role=alert]').count(), 0, 'no error');
    } finally {
      await keyboard.close();
    }
  });

  step('sign in: wrong password, then success', async () => {
    await page.goto(service.at('/login'));
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await submit('Sign in');
    await audit('sign in');
    await signInThroughPage(page, service.at('/login'), EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await audit('account');
  });

  step('signed-in pages', async () => {
    await visit('/account/sessions', 'sessions');
    await visit('/account/activity', 'activity');
    await visit('/account/passkeys', 'passkeys');
    await visit('/account/phone', 'phone');
    await visit('/account/two-factor', 'two-step settings');
  });

  step('change password: wrong current password, then success', async () => {
    await page.goto(service.at('/account/password'));
    await audit('change password');
    await page.getByLabel('Current password').fill('not the password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submit('Change password');
    await audit('change password');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submit('Change password');
    await page.waitForURL((url) => url.pathname === '/');
    await audit('account');
  });

  step('change email: wrong password, then success', async () => {
    await page.goto(service.at('/account/email'));
    await audit('change email');
    await page.getByLabel('New email address').fill('ada.new@example.org');
    await page.getByLabel('Your password').fill('not the password');
    await submit('Send confirmation link');
    await audit('change email');
    await page.getByLabel('Your password').fill(NEW_PASSWORD);
    await submit('Send confirmation link');
    await page.waitForURL((url) => url.pathname === '/');
    await audit('account');
  });

  step('phone: a bad number, then a code sent', async () => {
    await page.goto(service.at('/account/phone'));
    await page.getByLabel('Phone number').fill('12');
    await submit('Send a code');
    await audit('phone');
    await page.getByLabel('Phone number').fill('+14155550123');
    await submit('Send a code');
    await audit('phone code');
    await page.getByLabel(/code/i).first().fill('000000');
    await submit('Verify the number');
    await audit('phone code');
  });

  step('two-step sign-in: set up with a wrong code, then on, recovery codes', async () => {
    await page.goto(service.at('/account/two-factor'));
    await submit('Set up an authenticator app');
    await page.waitForURL((url) => url.pathname === '/account/two-factor/setup');
    await audit('two-step setup');
    secret = ((await page.locator('#secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill('000000');
    await submit('Turn on two-step sign-in');
    await audit('two-step setup');
    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await submit('Turn on two-step sign-in');
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await audit('recovery codes');
    await visit('/account/two-factor', 'two-step settings');
    await visit('/account/two-factor/disable', 'two-step off');
  });

  step('the second step of sign-in: a wrong code, then success', async () => {
    await visit('/logout', 'sign out');
    await submit('Sign out');
    await audit('sign in');
    await signInThroughPage(page, service.at('/login'), EMAIL, NEW_PASSWORD);
    await page.waitForURL((url) => url.pathname === '/login/second-factor');
    await audit('second step');
    await page.locator('#code').fill('000000');
    await submit('Continue');
    await audit('second step');
    await page.locator('#code').fill(totpCode(secret, Date.now() + 30_000));
    await submit('Continue');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
  });

  step('confirm it is you: a wrong password', async () => {
    await visit('/account/confirm', 'confirm it is you');
    await page.getByLabel('Your password').fill('not the password');
    await submit('Confirm with my password');
    await audit('confirm it is you');
    await page.goto(service.at('/logout'));
    await submit('Sign out');
  });

  step('register: mismatched passwords, then success and the confirmation link', async () => {
    await page.goto(service.at('/register'));
    await page.getByLabel('Email address').fill(NEWCOMER);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill('something else entirely');
    await submit('Create account');
    await audit('register');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await submit('Create account');
    await audit('register');
    await page.goto(linkIn(await service.smtp.waitForMail(NEWCOMER, { subject: /Welcome/ }), '/confirm-email/'));
    await audit('confirm email');
  });

  step('forms that send mail: errors, then success', async () => {
    for (const [path, stepName, button] of [
      ['/forgot-password', 'forgot password', 'Send'],
      ['/confirm/resend', 'resend confirmation', 'Send confirmation link'],
      ['/login/email', 'email sign-in', 'Email me a sign-in link'],
      ['/forgot-username', 'forgot username', 'Send my username'],
    ] as const) {
      await page.goto(service.at(path));
      await page.getByLabel('Email address').fill('not an address');
      await submit(button);
      await audit(stepName);
      await page.goto(service.at(path));
      await page.getByLabel('Email address').fill(MAILED);
      await submit(button);
      await audit(stepName === 'email sign-in' ? 'email sign-in code' : stepName);
    }
    await page.goto(linkIn(await service.smtp.waitForMail(MAILED, { subject: /^Sign in to/ }), '/login/link/'));
    await audit('email sign-in link');
  });

  step('reset by code: a wrong code', async () => {
    await page.goto(service.at(`/reset/code?email=${encodeURIComponent(EMAIL)}`));
    await audit('reset code');
    await page.getByLabel(/code/i).first().fill('00000000');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password again').fill(PASSWORD);
    await submit('Set new password');
    await audit('reset code');
  });

  step('reset by link: mismatched passwords, then success', async () => {
    await page.goto(service.at('/forgot-password'));
    await page.getByLabel('Email address').fill(RESETTER);
    await page.getByLabel('Link').check();
    await submit('Send');
    await page.waitForURL((url) => url.pathname === '/check-inbox');
    await page.goto(linkIn(await service.smtp.waitForMail(RESETTER, { subject: /reset/i }), '/reset-password/'));
    await audit('new password');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password again').fill('something else entirely');
    await submit('Set new password');
    await audit('new password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submit('Set new password');
    await page.waitForURL((url) => url.pathname === '/login' || url.pathname === '/');
    await audit(new URL(page.url()).pathname === '/' ? 'account' : 'sign in');
  });

  step('different steps never share a title', () => {
    assert.deepEqual(titles.shared(), []);
  });

  step('logged no console, CSP or script errors', () => {
    assert.deepEqual(problems, []);
  });
});
