import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { linkIn } from '../support/accounts.ts';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile, signInThroughPage } from '../support/browser.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const PHONE = { width: 375, height: 740 };
const EMAIL = 'ada@example.com';
const NEW_EMAIL = 'ada.lovelace@example.org';
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

/** A phone-width screenshot, and a check that nothing scrolls sideways. */
async function capture(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resultFile(`${name}-phone.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px on a ${PHONE.width}px wide phone`);
}

const signIn = (page: Page, service: TestService, email: string, password: string) =>
  signInThroughPage(page, service.at('/login'), email, password);

describe('account lifecycle in Chromium: register, confirm, change email and password, revoke a session', () => {
  let service: TestService;
  let browser: Browser;
  let laptop: BrowserContext;
  let phone: BrowserContext;
  let page: Page;
  let other: Page;
  const problems: string[] = [];
  let setupError: unknown;

  const step = (name: string, fn: () => Promise<void> | void) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  const watch = (p: Page) => {
    collectPageProblems(p, problems);
  };

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceAtOwnOrigin();
    } catch (err) {
      setupError = err;
      return;
    }
    laptop = await browser.newContext({ viewport: PHONE });
    phone = await browser.newContext({ viewport: PHONE });
    page = await laptop.newPage();
    other = await phone.newPage();
    watch(page);
    watch(other);
  });

  after(async () => {
    await laptop?.close();
    await phone?.close();
    await browser?.close();
    await service?.close();
  });

  step('registers and confirms the address with the button behind the emailed link', async () => {
    await page.goto(service.at('/register'));
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForLoadState();

    await signIn(page, service, EMAIL, PASSWORD);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Confirm your email address before signing in/);
    await page.getByRole('button', { name: 'Send a new confirmation link' }).waitFor();

    const link = linkIn(await service.smtp.waitForMail(EMAIL, { subject: /Welcome/ }), '/confirm-email/');
    await page.goto(link);
    assert.equal(new URL(page.url()).pathname, '/confirm-email', 'the token left the address bar');
    await capture(page, 'confirm-email');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    assert.match((await page.getByRole('status').textContent()) ?? '', /email address is confirmed/);
  });

  step('signs in and sees the account page with "last sign-in"', async () => {
    await signIn(page, service, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.match((await page.getByRole('main').textContent()) ?? '', /This is your first sign-in/);
    await capture(page, 'account-page');
  });

  step('changes the email address and confirms it from the new mailbox', async () => {
    await page.getByRole('link', { name: 'Change email address' }).click();
    await page.getByLabel('New email address').fill(NEW_EMAIL);
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Send confirmation link' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.match((await page.getByRole('status').textContent()) ?? '', /We sent a confirmation link to the new address/);
    await service.smtp.waitForMail(EMAIL, { subject: /being changed/ });

    const link = linkIn(await service.smtp.waitForMail(NEW_EMAIL, { subject: /Confirm your new email address/ }), '/email-change/confirm/');
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm new address' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.match((await page.getByRole('status').textContent()) ?? '', /email address has been changed/);
    assert.ok(((await page.getByRole('main').textContent()) ?? '').includes(NEW_EMAIL));
  });

  step('changes the password', async () => {
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await capture(page, 'change-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.match((await page.getByRole('status').textContent()) ?? '', /Your password has been changed/);
    await service.smtp.waitForMail(NEW_EMAIL, { subject: /Your password was changed/ });
  });

  step('signs in on a second device, then signs that device out from the sessions page', async () => {
    await signIn(other, service, NEW_EMAIL, NEW_PASSWORD);
    await other.getByRole('heading', { name: 'Your account' }).waitFor();

    await page.goto(service.at('/'));
    await page.getByRole('link', { name: 'Your sessions' }).click();
    await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
    assert.equal(await page.locator('ul.sessions > li').count(), 2);
    assert.match((await page.locator('ul.sessions').textContent()) ?? '', /Chrome on Linux \(this device\)/);
    await capture(page, 'sessions');
    await page
      .locator('ul.sessions')
      .getByRole('button', { name: /^Sign out Chrome/ })
      .click();
    await page.waitForURL((url) => url.pathname === '/account/sessions');
    assert.match((await page.getByRole('status').textContent()) ?? '', /The session was signed out/);
    assert.equal(await page.locator('ul.sessions > li').count(), 1);

    await other.reload();
    await other.getByRole('heading', { name: 'Welcome' }).waitFor();
  });

  step('logged no console or script errors', () => {
    assert.deepEqual(problems, []);
  });
});
