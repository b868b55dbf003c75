import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { launchChromium } from '../support/browser.ts';
import { freePort, startExampleApp } from '../support/example-app.ts';
import { registerUser } from '../support/flows.ts';
import { startOidcService } from '../support/oidc.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

type App = Awaited<ReturnType<typeof startExampleApp>>;

describe('an application signs in through Latchkey in Chromium (examples/oidc-app, openid-client)', () => {
  let service: TestService;
  let firstParty: App;
  let thirdParty: App;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Latchkey paths the browser landed on, to tell whether a page was shown. */
  const latchkeyPages: string[] = [];
  let setupError: unknown;

  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  async function exampleApp(name: string, skipConsent: boolean): Promise<App> {
    const port = String(await freePort());
    const appUrl = `http://127.0.0.1:${port}`;
    const added = await service.deps.oidc.clients.add(
      { name, redirectUris: [`${appUrl}/callback`], postLogoutRedirectUris: [`${appUrl}/`], isPublic: false, skipConsent },
      Date.now(),
    );
    if (!added.ok) throw new Error(added.detail);
    return startExampleApp({
      ISSUER: service.config.publicUrl.origin,
      CLIENT_ID: added.client.clientId,
      CLIENT_SECRET: added.clientSecret,
      APP_NAME: name,
      PORT: port,
    });
  }

  before(async () => {
    try {
      ({ service } = await startOidcService());
      await registerUser(service, EMAIL, PASSWORD, 'Ada Lovelace');
      firstParty = await exampleApp('Notes', true);
      thirdParty = await exampleApp('Photo Printer', false);
      browser = await launchChromium();
      context = await browser.newContext();
      page = await context.newPage();
      page.on('framenavigated', (frame) => {
        const url = new URL(frame.url());
        if (url.origin === service.config.publicUrl.origin) latchkeyPages.push(url.pathname);
      });
    } catch (error) {
      setupError = error;
    }
  });
  after(async () => {
    await browser?.close();
    await firstParty?.stop();
    await thirdParty?.stop();
    await service?.close();
  });

  step('signing in to the app goes through Latchkey’s login page and back', async () => {
    await page.goto(firstParty.url);
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.waitForURL(/\/login\?next=%2Foidc%2Finteraction%2F/);
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${firstParty.url}/`);
    assert.equal(await page.locator('#who').textContent(), EMAIL, firstParty.output());
  });

  step('a second sign-in is single sign-on: no Latchkey page asks anything', async () => {
    await context.clearCookies({ name: /^app\d+_session$/ });
    await page.goto(firstParty.url);
    latchkeyPages.length = 0;
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.waitForURL(`${firstParty.url}/`);
    assert.equal(await page.locator('#who').textContent(), EMAIL);
    assert.ok(!latchkeyPages.includes('/login'), `no login page: ${latchkeyPages.join(' ')}`);
  });

  step('an app that is not first-party gets a consent page naming it and the scopes; Allow is remembered', async () => {
    await page.goto(thirdParty.url);
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.waitForURL(/\/oidc\/interaction\//);
    await page.getByRole('heading', { name: 'Allow Photo Printer to sign you in?' }).waitFor();
    const scopes = await page.locator('ul.scopes li').allTextContents();
    assert.ok(
      scopes.some((s) => s.includes('email address')),
      scopes.join('; '),
    );
    assert.equal(await page.locator('script').count(), 0);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${thirdParty.url}/`);
    assert.equal(await page.locator('#who').textContent(), EMAIL);

    await context.clearCookies({ name: /^app\d+_session$/ });
    await page.goto(thirdParty.url);
    const consentPages: string[] = [];
    const watch = async (response: Response) => {
      if (response.url().includes('/oidc/interaction/') && /Allow/.test(await response.text().catch(() => '')))
        consentPages.push(response.url());
    };
    page.on('response', watch);
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.waitForURL(`${thirdParty.url}/`);
    page.off('response', watch);
    assert.equal(await page.locator('#who').textContent(), EMAIL);
    assert.deepEqual(consentPages, [], 'the consent was remembered');
  });

  step('signing out of the app (RP-initiated logout) signs the browser out of Latchkey too', async () => {
    await page.goto(firstParty.url);
    await page.getByRole('link', { name: 'Sign in with Latchkey' }).click();
    await page.waitForURL(`${firstParty.url}/`);
    await page.getByRole('link', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign out' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${firstParty.url}/`);
    assert.match((await page.textContent('body')) ?? '', /not signed in/);
    await page.goto(service.at('/'));
    assert.match((await page.textContent('body')) ?? '', /Welcome/);
  });
});
