import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/kernel/clock.ts';
import { errorMessage } from '../../src/kernel/errors.ts';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile } from '../support/browser.ts';
import { registerUser } from '../support/flows.ts';
import { enrolSecondFactor } from '../support/second-step.ts';
import {
  addVirtualAuthenticator,
  controlConditionalRequests,
  sessionAmrOf,
  startServiceOnLocalhost,
  type VirtualAuthenticator,
} from '../support/webauthn.ts';

const ADA = 'ada@example.com';
const BOB = 'bob@example.com';
const PASSWORD = 'correct horse battery';

describe('a passkey as the second step after a password, in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  const clock = new ManualClock(Date.now());
  const problems: string[] = [];
  /** Ada's credential id (base64url), held by the same virtual authenticator as Bob's. */
  let adaCredential = '';
  let setupError: unknown;
  const at = (path: string) => new URL(path, service.config.publicUrl).href;

  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  const signInWithPassword = async (email: string) => {
    await page.goto(at('/login'));
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForLoadState();
  };
  const signOut = async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
  };
  const addPasskey = async (name: string) => {
    await page.goto(at('/account/passkeys'));
    await page.getByLabel('Name of the new passkey').fill(name);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL((url) => url.search === '?notice=added');
  };

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceOnLocalhost({}, { clock });
      await registerUser(service, ADA, PASSWORD, 'Ada');
      await registerUser(service, BOB, PASSWORD, 'Bob');
      context = await browser.newContext();
      page = await context.newPage();
      collectPageProblems(page, problems);
      authenticator = await addVirtualAuthenticator(context, page);
      await controlConditionalRequests(context);
      // Each adds a passkey while the password alone still signs in, then turns on an authenticator app.
      for (const email of [ADA, BOB]) {
        await signInWithPassword(email);
        await addPasskey(email === ADA ? 'Ada’s key' : 'Bob’s key');
        if (email === ADA) adaCredential = (await authenticator.credentials())[0]?.credentialId ?? '';
        await signOut();
        await enrolSecondFactor(service, email);
      }
      assert.equal((await authenticator.credentials()).length, 2);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  step('the password leads to the second step, which offers "Use a passkey" next to the code', async () => {
    await signInWithPassword(ADA);
    assert.equal(new URL(page.url()).pathname, '/login/second-factor');
    assert.ok(!(await context.cookies()).some((c) => c.name === 'lk_session'), 'no session yet');
    await page.getByRole('button', { name: 'Use a passkey' }).waitFor({ state: 'visible' });
    await page.getByLabel('Code from your authenticator app').waitFor();
    await page.screenshot({ path: resultFile('passkey-second-factor.png'), fullPage: true });
  });

  step('the passkey finishes the sign-in: amr pwd hwk user, pending cookie gone', async () => {
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal(await sessionAmrOf(service, context), 'pwd hwk user');
    assert.ok(!(await context.cookies()).some((c) => c.name === 'lk_mfa_pending'));
    await signOut();
  });

  step("another account's passkey is refused as Bob's second step; Bob's own then signs him in", async () => {
    await signInWithPassword(BOB);
    assert.equal(new URL(page.url()).pathname, '/login/second-factor');
    // In the page: Bob's pending sign-in's options, answered by Ada's credential from the same authenticator.
    // (A string: the test runner's transpiler would add helpers the page lacks to a function.)
    const answer = (await page.evaluate(`(async () => {
      const post = async (path, body) => {
        const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, body: await response.json() };
      };
      const options = await post('/api/login/second-factor/passkey/options', {});
      const optionsJSON = { ...options.body, allowCredentials: [{ id: ${JSON.stringify(adaCredential)}, type: 'public-key' }] };
      const response = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
      return { ...(await post('/api/login/second-factor/passkey/verify', { response })), signedBy: response.id };
    })()`)) as { status: number; body: { error: { code: string } }; signedBy: string };
    assert.equal(answer.signedBy, adaCredential, 'the assertion came from Ada’s passkey');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'PASSKEY_INVALID');
    assert.ok(!(await context.cookies()).some((c) => c.name === 'lk_session'), 'no session');
    // The refusal counted as one wrong attempt; the pending sign-in goes on.
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.equal(await sessionAmrOf(service, context), 'pwd hwk user');
    const who = await page.getByRole('banner').textContent();
    assert.match(who ?? '', /Bob/);
  });

  step('a pending sign-in that expired sends the passkey button back to the page, which says so', async () => {
    await signOut();
    await signInWithPassword(ADA);
    clock.advanceSeconds(301);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText(errorMessage('SECOND_FACTOR_EXPIRED')).waitFor();
    assert.ok(!(await context.cookies()).some((c) => c.name === 'lk_session'));
  });

  step('logged no console errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
    return Promise.resolve();
  });
});
