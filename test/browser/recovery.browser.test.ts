import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile, signInThroughPage } from '../support/browser.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { resetCodeIn } from '../support/reset-codes.ts';
import { resetLinkIn } from '../support/smtp.ts';

const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

// Long enough to need wrapping on a phone.
const EMAIL = 'grace.brewster.hopper@navy-research.example.com';
const OLD_PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const THIRD_PASSWORD = 'a third passphrase, by code';

/** Screenshots of the page at phone and desktop width, and a check that nothing overflows sideways on the phone. */
async function capture(page: Page, name: string): Promise<void> {
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: resultFile(`${name}-${label}.png`), fullPage: true });
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px on a ${PHONE.width}px wide phone`);
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

const signIn = (page: Page, service: TestService, password: string) => signInThroughPage(page, service.at('/login'), EMAIL, password);

describe('password recovery in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  let setupError: unknown;

  /** A step of the flow. A failed setup (Chromium missing, say) fails every step with its message. */
  const step = (name: string, fn: () => Promise<void> | void) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceAtOwnOrigin();
    } catch (err) {
      setupError = err;
      return;
    }
    context = await browser.newContext({ viewport: PHONE });
    page = await context.newPage();
    // A CSP violation (a blocked stylesheet, say), a script error or a failed subresource shows up
    // here. Pages answering 4xx (a refused sign-in is a 401 page) and the browser's own favicon
    // probe are not problems.
    collectPageProblems(page, problems);
    page.on('response', (response) => {
      const { pathname } = new URL(response.url());
      if (response.status() >= 400 && response.request().resourceType() !== 'document' && pathname !== '/favicon.ico') {
        problems.push(`${response.status()} for ${pathname}`);
      }
    });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  step('registers through /register', async () => {
    await page.goto(service.at('/register'));
    await page.getByLabel('Name (optional)').fill('Grace');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(OLD_PASSWORD);
    await page.getByLabel('Password again').fill(OLD_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    // A redirect (reloading posts nothing) to "check your inbox", which names the address.
    await page.waitForURL((url) => url.pathname === '/check-inbox');
    assert.match(await textOf(page.locator('main')), new RegExp(`We have sent a message to ${EMAIL.replace('.', '\\.')}`));
  });

  step('confirms the address from the welcome mail (CONFIRM_EMAIL=required, the default)', async () => {
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Welcome/ });
    const link = /https?:\/\/\S+\/confirm-email\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '')?.[0] ?? '';
    await page.goto(link);
    assert.equal(new URL(page.url()).pathname, '/confirm-email');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    assert.match(await textOf(page.getByRole('status')), /email address is confirmed/);
  });

  step('signs in through /login, sees the account page and signs out', async () => {
    await signIn(page, service, OLD_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.ok((await textOf(page.getByRole('main'))).includes(EMAIL));

    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    assert.match(await textOf(page.getByRole('status')), /You have been signed out/);
    await page.goto(service.at('/'));
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  });

  step('requests a reset on /forgot-password and follows the emailed link to a token-free form', async () => {
    await page.goto(service.at('/forgot-password'));
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/check-inbox');
    assert.match(await textOf(page.locator('main')), new RegExp(`If an account uses ${EMAIL.replace('.', '\\.')}`));

    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Reset your password/ });
    const link = resetLinkIn(mail);
    assert.ok(link.startsWith(`${service.config.publicUrl.origin}/reset-password/`), link);
    const token = link.split('/').pop() as string;

    const response = await page.goto(link);
    const landed = new URL(page.url());
    assert.equal(landed.pathname, '/reset-password');
    assert.ok(!page.url().includes(token), `the token must leave the address bar, got ${page.url()}`);
    assert.equal(response?.headers()['referrer-policy'], 'no-referrer');
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).waitFor();
    await page.getByLabel('New password again').waitFor();
    assert.ok(!(await page.content()).includes(token), 'the form page must not contain the token');
    await capture(page, 'reset-form');
  });

  step('sets a new password and lands on /login with the notice', async () => {
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    assert.match(await textOf(page.getByRole('status')), /password has been changed/);
    await service.smtp.waitForMail(EMAIL, { subject: /password was changed/ });
  });

  step('refuses the old password', async () => {
    await signIn(page, service, OLD_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Your account' }).count(), 0);
  });

  step('signs in with the new password and sees the account page', async () => {
    await signIn(page, service, NEW_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.ok((await textOf(page.getByRole('main'))).includes(EMAIL));
    // The local stylesheet loaded under the CSP: the button has the accent colour.
    const background = await page
      .getByRole('main')
      .getByRole('button', { name: 'Sign out' })
      .evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(background, 'rgb(47, 95, 208)');
    await capture(page, 'account');
  });

  step('resets again with a code by mail: the choice on /forgot-password, then address, code and password on /reset/code', async () => {
    await page.goto(service.at('/forgot-password'));
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('A code by email').check();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/reset/code');
    assert.equal(await page.getByLabel('Email address').inputValue(), EMAIL);
    assert.equal(await page.getByLabel('Code').getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await page.getByLabel('Code').getAttribute('inputmode'), 'numeric');
    await capture(page, 'reset-code-form');
    const code = resetCodeIn(await service.smtp.waitForMail(EMAIL, { subject: /reset code/ }));
    await page.getByLabel('Code').fill(code);
    await page.getByLabel('New password', { exact: true }).fill(THIRD_PASSWORD);
    await page.getByLabel('New password again').fill(THIRD_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    assert.match(await textOf(page.getByRole('status')), /password has been changed/);
    await signIn(page, service, THIRD_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
  });

  step('logged no console or script errors', () => {
    assert.deepEqual(problems, []);
  });
});
