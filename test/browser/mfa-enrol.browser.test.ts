import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile, signInThroughPage } from '../support/browser.ts';
import { registerUser } from '../support/flows.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { totpCode } from '../support/totp.ts';

const PHONE = { width: 375, height: 740 };
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

/** A phone-width screenshot, and a check that nothing scrolls sideways. */
async function capture(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resultFile(`${name}-phone.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px on a ${PHONE.width}px wide phone`);
}

describe('two-step sign-in in Chromium: enrol an authenticator from the set-up page, save the recovery codes, sign in with it', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let setupError: unknown;
  let recoveryCodes: string[] = [];
  let secret = '';

  const step = (name: string, fn: () => Promise<void> | void) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceAtOwnOrigin();
      await registerUser(service, EMAIL, PASSWORD, 'Ada');
    } catch (err) {
      setupError = err;
      return;
    }
    context = await browser.newContext({ viewport: PHONE, acceptDownloads: true });
    page = await context.newPage();
    collectPageProblems(page, problems);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  step('opens the set-up page: a QR code drawn as inline SVG and the secret as text', async () => {
    await signInThroughPage(page, service.at('/login'), EMAIL, PASSWORD);
    await page.goto(service.at('/account/two-factor'));
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.waitForURL((url) => url.pathname === '/account/two-factor/setup');
    const qr = page.getByRole('img', { name: /QR code/ });
    assert.ok(await qr.isVisible());
    const box = await qr.locator('svg').boundingBox();
    assert.ok(box && box.width >= 150 && box.height >= 150, `the QR code is drawn (${JSON.stringify(box)})`);
    await capture(page, 'two-factor-setup');
  });

  step('types the code the authenticator would show for the secret read from the page, and sees ten recovery codes', async () => {
    secret = ((await page.locator('#secret').textContent()) ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    assert.match((await page.getByRole('status').textContent()) ?? '', /Two-step sign-in is on/);
    recoveryCodes = await page.locator('#recovery-codes code').allTextContents();
    assert.equal(recoveryCodes.length, 10);
    for (const code of recoveryCodes) assert.match(code, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    await capture(page, 'two-factor-recovery-codes');
    await service.smtp.waitForMail(EMAIL, { subject: /Two-step sign-in was turned on/ });
  });

  step('downloads the codes as latchkey-recovery-codes.txt', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download as a text file' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'latchkey-recovery-codes.txt');
    const path = resultFile('latchkey-recovery-codes.txt');
    await download.saveAs(path);
    const text = readFileSync(path, 'utf8');
    for (const code of recoveryCodes) assert.ok(text.includes(code), `${code} in the file`);
    assert.match(text, /recovery codes for ada@example\.com/);
    assert.equal(new URL(page.url()).pathname, '/account/two-factor/confirm', 'the page with the codes stays open');
  });

  step('the two-step page now says it is on, with ten codes left', async () => {
    await page.getByRole('link', { name: 'I have saved my codes' }).click();
    await page.waitForURL((url) => url.pathname === '/account/two-factor');
    const main = (await page.getByRole('main').textContent()) ?? '';
    assert.match(main, /Two-step sign-in is on/);
    assert.match(main, /10 recovery codes are left/);
    assert.equal(
      await service.deps.mfa.recoveryCodes.remaining(
        service.deps.store,
        (await service.deps.store.users.findByCanonicalEmail(EMAIL))?.id as string,
      ),
      10,
    );
  });

  step('signs out, and signs in again with the password and a code from the authenticator', async () => {
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForLoadState();
    await signInThroughPage(page, service.at('/login'), EMAIL, PASSWORD);
    await page.waitForURL((url) => url.pathname === '/login/second-factor');
    // The confirming code's time step is used: the app's next code (one step of drift is allowed).
    await page.locator('#code').fill(totpCode(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.ok(((await page.getByRole('main').textContent()) ?? '').includes(EMAIL), 'signed in to the account');
  });

  step('logged no console, CSP or script errors', () => {
    assert.deepEqual(problems, []);
  });
});
