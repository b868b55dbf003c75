import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestService } from '../support/app.ts';
import { launchChromium, signInThroughPage } from '../support/browser.ts';
import { TestClient } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

/**
 * The device cookie in a real browser (S29): Chromium keeps the HttpOnly, SameSite=Strict cookie
 * and sends it with the login form's POST (which Chromium sends with `Origin: null`), so the
 * owner's browser signs in through the page while an attacker's failures keep everyone else out.
 */
describe("the owner's browser gets in through the login page in Chromium during an attack", () => {
  let service: TestService;
  let browser: Browser;
  let owner: BrowserContext;
  let stranger: BrowserContext;
  let setupError: unknown;

  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  const signIn = (page: Page) => signInThroughPage(page, service.at('/login'), EMAIL, PASSWORD);

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceAtOwnOrigin({ TRUST_PROXY: 'loopback' });
      await registerUser(service, EMAIL, PASSWORD);
      owner = await browser.newContext();
      stranger = await browser.newContext();
    } catch (error) {
      setupError = error;
    }
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  step('a sign-in through the page leaves an HttpOnly, SameSite=Strict device cookie for a year', async () => {
    const page = await owner.newPage();
    await signIn(page);
    assert.equal(new URL(page.url()).pathname, '/');
    const device = (await owner.cookies()).find((c) => c.name === 'lk_device');
    assert.ok(device, 'the browser keeps the device cookie');
    assert.equal(device.httpOnly, true);
    assert.equal(device.sameSite, 'Strict');
    const yearFromNow = Date.now() / 1000 + 365 * 24 * 3600;
    assert.ok(Math.abs(device.expires - yearFromNow) < 120, `expires ${device.expires}`);
    await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    assert.ok(
      (await owner.cookies()).some((c) => c.name === 'lk_device'),
      'signing out keeps it',
    );
  });

  step('after 200 failures from 200 addresses the owner signs in through the page; a new browser cannot', async () => {
    for (let i = 0; i < 200; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          new TestClient(service.url, { 'x-forwarded-for': `198.18.0.${i + j}`, origin: service.config.publicUrl.origin }).postJson(
            '/api/login',
            { email: EMAIL, password: `guess ${i + j}` },
          ),
        ),
      );
    }
    const page = await owner.newPage();
    await signIn(page);
    assert.equal(new URL(page.url()).pathname, '/', 'signed in');
    assert.ok(await page.getByRole('main').getByRole('button', { name: 'Sign out' }).isVisible());

    const other = await stranger.newPage();
    await signIn(other);
    assert.equal(new URL(other.url()).pathname, '/login');
    assert.match(await other.content(), /Too many attempts/);
  });
});
