import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium } from '../support/browser.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const PASSWORD = 'correct horse battery';
const TOGGLER = 'toggle@example.com';

/** Presses Tab from the top of the page until `selector` has the focus (at most 30 times). */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 30; presses++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

/**
 * New-password fields in Chromium: the "show password" button the page's own script adds
 * (progressive enhancement: without JavaScript the fields are plain password fields), and the
 * password rules shown under the field before the user fails them.
 */
describe('password fields in Chromium: the show-password button and the rules', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let setupError: unknown;

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
    context = await browser.newContext();
    page = await context.newPage();
    collectPageProblems(page, problems);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  step('password fields get a "show password" button: click and keyboard toggle it, and the form still posts', async () => {
    const fresh = await browser.newContext();
    try {
      const p = await fresh.newPage();
      collectPageProblems(p, problems);
      await p.goto(service.at('/register'));
      const field = p.locator('#password');
      const toggle = p.locator('button[aria-controls="password"]');
      assert.equal(await toggle.textContent(), 'Show password');
      await field.fill(PASSWORD);
      await toggle.click();
      assert.equal(await field.getAttribute('type'), 'text');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      await toggle.click();
      assert.equal(await field.getAttribute('type'), 'password');
      assert.equal(await toggle.getAttribute('aria-pressed'), 'false');

      await tabTo(p, 'button[aria-controls="password"]');
      await p.keyboard.press('Space');
      assert.equal(await field.getAttribute('type'), 'text', 'Space on the button shows the password');
      await p.keyboard.press('Enter');
      assert.equal(await field.getAttribute('type'), 'password', 'Enter on the button hides it again');
      assert.equal(await p.locator('#email').inputValue(), '', 'the button does not submit the form');

      await toggle.click();
      await p.getByLabel('Email address').fill(TOGGLER);
      await p.getByLabel('Password again').fill(PASSWORD);
      await p.getByRole('button', { name: 'Create account' }).click();
      await p.waitForLoadState();
      assert.equal(await p.locator('[role=alert]').count(), 0, 'no error: the shown password was posted');
      assert.ok(await service.deps.store.users.findByCanonicalEmail(TOGGLER), 'the account was created');
    } finally {
      await fresh.close();
    }
  });

  step('without JavaScript the password fields are plain password fields with no button', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    try {
      const p = await noJs.newPage();
      await p.goto(service.at('/register'));
      assert.equal(await p.locator('#password').getAttribute('type'), 'password');
      assert.equal(await p.locator('button.toggle-password').count(), 0);
    } finally {
      await noJs.close();
    }
  });

  step('the password rules are shown under the new-password field before any attempt, tied to it', async () => {
    const { passwordMinLength, passwordMaxLength } = service.config;
    for (const path of ['/register', '/reset/code']) {
      await page.goto(service.at(path));
      const hintId = await page.locator('#password').getAttribute('aria-describedby');
      assert.ok(hintId, `${path}: the new password is described by its hint`);
      const hint = (await page.locator(`#${hintId}`).textContent()) ?? '';
      assert.ok(hint.includes(`${passwordMinLength} to ${passwordMaxLength} characters`), `${path}: ${hint}`);
      assert.equal(await page.locator('[role=alert]').count(), 0, `${path}: shown before any error`);
    }
  });

  step('logged no console, CSP or script errors', () => {
    assert.deepEqual(problems, []);
  });
});
