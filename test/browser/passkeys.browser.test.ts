import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../src/kernel/clock.ts';
import { errorMessage } from '../../src/kernel/errors.ts';
import type { TestService } from '../support/app.ts';
import { collectPageProblems, launchChromium, resultFile } from '../support/browser.ts';
import { apiClient, eventually, registerUser } from '../support/flows.ts';
import {
  addVirtualAuthenticator,
  type ConditionalControl,
  controlConditionalRequests,
  sessionAmrOf,
  startServiceOnLocalhost,
  userIdOf,
  type VirtualAuthenticator,
} from '../support/webauthn.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('passkeys in the pages, in Chromium with a virtual authenticator', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let conditional: ConditionalControl;
  const clock = new ManualClock(Date.now());
  const problems: string[] = [];
  /** Bodies the page sent to POST /api/login/passkey/verify, to replay one. */
  const sentAssertions: string[] = [];
  let setupError: unknown;
  const at = (path: string) => new URL(path, service.config.publicUrl).href;
  const pathOf = () => new URL(page.url()).pathname + new URL(page.url()).search;

  const step = (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      if (setupError) throw setupError;
      await fn();
    });

  before(async () => {
    try {
      browser = await launchChromium();
      service = await startServiceOnLocalhost({}, { clock });
      await registerUser(service, EMAIL, PASSWORD, 'Ada');
      context = await browser.newContext();
      page = await context.newPage();
      collectPageProblems(page, problems);
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/api/login/passkey/verify'))
          sentAssertions.push(request.postData() ?? '');
      });
      authenticator = await addVirtualAuthenticator(context, page);
      conditional = await controlConditionalRequests(context);
    } catch (err) {
      setupError = err;
    }
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
  });

  const signOut = async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
  };

  step('after a password sign-in, the account page links to the passkeys page, which offers to add one', async () => {
    await page.goto(at('/login'));
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('link', { name: 'Passkeys' }).click();
    await page.waitForURL((url) => url.pathname === '/account/passkeys');
    await page.getByText('You have no passkeys yet.').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).waitFor({ state: 'visible' });
    assert.equal(await page.getByText('Adding a passkey needs a browser').isVisible(), false, 'the no-passkey note is hidden');
  });

  step('adding a named passkey stores a discoverable, user-verified credential and lists it', async () => {
    await page.getByLabel('Name of the new passkey').fill('Work laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL((url) => url.search === '?notice=added');
    await page.getByText('The passkey was added.').waitFor();
    const item = page.getByRole('listitem').filter({ hasText: 'Work laptop' });
    await item.getByText('never').waitFor();
    await item.getByText('Bound to one device').waitFor();
    const held = await authenticator.credentials();
    assert.equal(held.length, 1);
    assert.equal(held[0]?.isResidentCredential, true, 'a discoverable credential');
    const stored = await service.deps.store.passkeys.findByCredentialId(held[0]?.credentialId ?? '');
    assert.equal(stored?.name, 'Work laptop');
    await page.screenshot({ path: resultFile('passkeys-list.png'), fullPage: true });
  });

  step('after signing out, "Sign in with a passkey" signs in with both factors (amr hwk user)', async () => {
    await signOut();
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await button.waitFor({ state: 'visible' });
    assert.equal(await page.getByLabel('Email address').getAttribute('autocomplete'), 'username webauthn');
    await button.click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal(conditional.mediations.at(-1), 'modal', 'the button’s own request signed in');
    assert.equal(await sessionAmrOf(service, context), 'hwk user');
    assert.ok((await context.cookies()).some((c) => c.name === 'lk_session' && c.httpOnly));
  });

  step('a replayed assertion (the page’s own verify request sent again) is refused', async () => {
    const body = sentAssertions.at(-1);
    assert.ok(body, 'the page sent an assertion');
    const replay = await apiClient(service).postJson('/api/login/passkey/verify', JSON.parse(body));
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.json<{ error: { code: string } }>().error.code, 'PASSKEY_INVALID');
    assert.equal(replay.headers.getSetCookie().length, 0, 'no session cookie');
  });

  step('the login page asks for passkeys in the email field’s autofill (conditional UI); picking one signs in', async () => {
    conditional.mediations.length = 0;
    await signOut();
    // The script asked for a conditional request on load (held until allowed, as for a person
    // who has not picked the passkey yet); the button's ceremony above aborted the earlier one.
    await eventually(async () => (conditional.mediations.includes('conditional') ? true : undefined), 'a conditional request');
    const verified = page.waitForResponse((r) => r.url().endsWith('/api/login/passkey/verify'));
    conditional.allow(true);
    // A new page load starts a new conditional request. With a virtual authenticator Chromium
    // answers it at once with the passkey it holds, as if picked from the email field's autofill
    // list (headless, that list itself is never drawn): what the page does with the answer is real.
    await page.goto(at('/login'));
    assert.equal((await verified).status(), 200);
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.equal(await sessionAmrOf(service, context), 'hwk user');
    conditional.allow(false);
  });

  step('the last use shows in the list, and the plain rename form renames it', async () => {
    await page.goto(at('/account/passkeys'));
    const item = page.getByRole('listitem').filter({ hasText: 'Work laptop' });
    assert.doesNotMatch((await item.getByRole('definition').nth(1).textContent()) ?? '', /never/);
    await page.getByLabel('New name for Work laptop').fill('Old laptop');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.waitForURL((url) => url.search === '?notice=renamed');
    await page.getByRole('listitem').filter({ hasText: 'Old laptop' }).waitFor();
  });

  step('removing it long after signing in asks to confirm it is you first', async () => {
    clock.advanceSeconds(service.config.account.recentAuthSeconds + 60);
    await page.getByRole('button', { name: 'Remove Old laptop' }).click();
    await page.waitForURL((url) => url.pathname === '/account/confirm');
    assert.equal(pathOf(), `/account/confirm?next=${encodeURIComponent('/account/passkeys')}`);
    assert.equal((await service.deps.store.passkeys.listForUser(await userIdOf(service, EMAIL))).length, 1);
  });

  step('with a recent sign-in, Remove removes it; the passkey then no longer signs in', async () => {
    await page.goto(at('/account/passkeys'));
    await signOut();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto(at('/account/passkeys'));
    await page.getByRole('button', { name: 'Remove Old laptop' }).click();
    await page.waitForURL((url) => url.search === '?notice=removed');
    await page.getByText('You have no passkeys yet.').waitFor();
    await signOut();
    assert.equal((await authenticator.credentials()).length, 1, 'the authenticator still holds it');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/login/passkey/verify'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    assert.equal((await refused).status(), 400);
    await page
      .locator('[data-passkey-status]')
      .filter({ hasText: errorMessage('PASSKEY_INVALID') })
      .waitFor();
    assert.equal(new URL(page.url()).pathname, '/login', 'still on the login page');
    assert.ok(!(await context.cookies()).some((c) => c.name === 'lk_session'));
  });

  step('a cancelled passkey prompt says so in the live region', async () => {
    await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: false });
    await page.goto(at('/login'));
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page
      .locator('[data-passkey-status]')
      .filter({ hasText: /cancelled|could not/ })
      .waitFor();
    await authenticator.cdp.send('WebAuthn.setUserVerified', { authenticatorId: authenticator.authenticatorId, isUserVerified: true });
  });

  step('without JavaScript the passkey buttons stay hidden and the password form signs in', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    try {
      const noJs = await plain.newPage();
      await noJs.goto(at('/login'));
      assert.equal(await noJs.getByRole('button', { name: 'Sign in with a passkey' }).count(), 0, 'hidden: not in the accessibility tree');
      await noJs.getByLabel('Email address').fill(EMAIL);
      await noJs.getByLabel('Password').fill(PASSWORD);
      await noJs.getByRole('button', { name: 'Sign in', exact: true }).click();
      await noJs.waitForURL((url) => url.pathname === '/');
      await noJs.goto(at('/account/passkeys'));
      await noJs.getByText('Adding a passkey needs a browser that supports passkeys').waitFor();
      assert.equal(await noJs.getByRole('button', { name: 'Add a passkey' }).count(), 0);
    } finally {
      await plain.close();
    }
  });

  step('logged no console errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
    return Promise.resolve();
  });
});
