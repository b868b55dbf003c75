import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile, signInThroughPage } from '../support/browser.ts';
import { registerUser } from '../support/flows.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('form errors in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    browser = await launchChromium();
    service = await startServiceAtOwnOrigin();
    await registerUser(service, EMAIL, PASSWORD, 'Ada');
    page = await (await browser.newContext()).newPage();
    collectPageProblems(page, problems);
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it('a bad registration comes back with the error summary focused, without any script', async () => {
    await page.goto(service.at('/register'));
    await page.getByLabel('Name (optional)').fill('Grace');
    await page.getByLabel('Email address').fill('grace at example');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForLoadState();
    assert.equal(await page.title(), 'Error: Create an account · Latchkey');
    const focused = await page.evaluate(() => ({
      className: document.activeElement?.className,
      heading: document.activeElement?.querySelector('h2')?.textContent,
    }));
    assert.deepEqual(focused, { className: 'error-summary', heading: 'There is a problem' }, 'the summary has the focus');
    assert.equal(await page.getByLabel('Name (optional)').inputValue(), 'Grace', 'typed values kept');
    assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true');
    await page.screenshot({ path: resultFile('form-errors-register.png'), fullPage: true });
    // A summary link takes the reader to its field.
    await page.getByRole('link', { name: /Enter a valid email address/ }).click();
    assert.equal(await page.evaluate(() => location.hash), '#email');
    assert.deepEqual(problems, []);
  });

  it('the change-password page keeps the username for password managers, hidden', async () => {
    await signInThroughPage(page, service.at('/login'), EMAIL, PASSWORD);
    await page.goto(service.at('/account/password'));
    const username = page.locator('input[name="username"]');
    assert.equal(await username.getAttribute('autocomplete'), 'username');
    assert.equal(await username.isVisible(), false, 'the [hidden] field is not shown');
    assert.equal(await page.getByLabel('Current password').isVisible(), true);
  });
});
