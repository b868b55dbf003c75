import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium } from '../support/browser.ts';
import { apiClient } from '../support/flows.ts';
import { addVirtualAuthenticator, controlConditionalRequests, sessionAmrOf, startServiceOnLocalhost } from '../support/webauthn.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('passkeys in the pages under a base path (PUBLIC_URL=http://localhost:<port>/auth)', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  /** Every request the pages made, to check none left /auth. */
  const requested: string[] = [];
  let setupError: unknown;
  const at = (path: string) => `${service.config.publicUrl.href.replace(/\/$/, '')}${path}`;

  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceOnLocalhost({ CONFIRM_EMAIL: 'off' }, {}, { path: '/auth' });
      const registered = await apiClient(service).postJson('/auth/api/register', { email: EMAIL, password: PASSWORD });
      assert.equal(registered.status, 202, registered.text);
      context = await browser.newContext();
      page = await context.newPage();
      collectPageProblems(page, problems);
      page.on('request', (request) => requested.push(new URL(request.url()).pathname));
      await addVirtualAuthenticator(context, page);
      await controlConditionalRequests(context);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  step('adds a passkey and signs in with it, every script and API call under /auth', async () => {
    await page.goto(at('/login'));
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/auth/');
    await page.goto(at('/account/passkeys'));
    await page.getByLabel('Name of the new passkey').fill('Laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/auth/account/passkeys' && url.search === '?notice=added');
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/auth/login');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/auth/');
    assert.equal(await sessionAmrOf(service, context), 'hwk user');
    for (const path of ['/auth/assets/passkeys.js', '/auth/api/passkeys/register/verify', '/auth/api/login/passkey/verify']) {
      assert.ok(requested.includes(path), path);
    }
    assert.deepEqual(
      requested.filter((path) => !path.startsWith('/auth/')),
      [],
    );
    assert.deepEqual(problems, []);
  });
});
