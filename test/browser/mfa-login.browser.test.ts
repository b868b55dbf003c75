import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/kernel/clock.ts';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile, signInThroughPage } from '../support/browser.ts';
import { registerUser } from '../support/flows.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { enrolSecondFactor, totpCode } from '../support/second-step.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('signing in with an authenticator code in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret: string;
  const clock = new ManualClock(Date.now());
  const problems: string[] = [];
  let setupError: unknown;

  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceAtOwnOrigin({}, { clock });
      await registerUser(service, EMAIL, PASSWORD);
      ({ secret } = await enrolSecondFactor(service, EMAIL));
      clock.advanceSeconds(30);
    } catch (err) {
      setupError = err;
      return;
    }
    context = await browser.newContext();
    page = await context.newPage();
    collectPageProblems(page, problems);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  step('the password leads to the second-factor page, not to the account', async () => {
    await signInThroughPage(page, service.at('/login'), EMAIL, PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/login/second-factor');
    const code = page.getByLabel('Code from your authenticator app');
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    const cookies = await context.cookies();
    assert.ok(!cookies.some((c) => c.name === 'lk_session'), 'no session yet');
    const pending = cookies.find((c) => c.name === 'lk_mfa_pending');
    assert.ok(pending?.httpOnly && pending.sameSite === 'Lax');
    await page.screenshot({ path: resultFile('mfa-login-second-factor.png'), fullPage: true });
  });

  step('the code from the app signs in and the browser is remembered', async () => {
    await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, clock.nowMs()));
    await page.getByLabel('Remember this device for 30 days').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.ok((await context.cookies()).some((c) => c.name === 'lk_mfa_device' && c.httpOnly));
  });

  step('after signing out, the remembered browser signs in with the password alone', async () => {
    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await signInThroughPage(page, service.at('/login'), EMAIL, PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.deepEqual(problems, []);
  });
});
