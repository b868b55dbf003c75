import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/kernel/clock.ts';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium } from '../support/browser.ts';
import { registerUser } from '../support/flows.ts';
import { addVirtualAuthenticator, controlConditionalRequests, startServiceOnLocalhost } from '../support/webauthn.ts';

describe('confirm it is you with a passkey', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const clock = new ManualClock(Date.now());
  const problems: string[] = [];
  const at = (path: string) => new URL(path, service.config.publicUrl).href;
  before(async () => {
    browser = await launchChromium();
    service = await startServiceOnLocalhost({}, { clock });
    await registerUser(service, 'ada@example.com', 'correct horse battery', 'Ada');
    context = await browser.newContext();
    page = await context.newPage();
    collectPageProblems(page, problems);
    await addVirtualAuthenticator(context, page);
    await controlConditionalRequests(context);
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });
  it('works', async () => {
    await page.goto(at('/login'));
    await page.getByLabel('Email address').fill('ada@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto(at('/account/passkeys'));
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL((url) => url.search === '?notice=added');
    clock.advanceSeconds(service.config.account.recentAuthSeconds + 60);
    await page.getByRole('button', { name: /^Remove/ }).click();
    await page.waitForURL((url) => url.pathname === '/account/confirm');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/account/passkeys' && url.search === '');
    await page.getByRole('button', { name: /^Remove/ }).click();
    await page.waitForURL((url) => url.search === '?notice=removed');
    assert.deepEqual(problems, []);
  });
});
