import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/kernel/clock.ts';
import { newId } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser, signedInClient } from '../support/flows.ts';
import { storePasskey } from '../support/passkeys.ts';
import { userIdOf } from '../support/webauthn.ts';

const ADA = 'ada@example.com';
const BOB = 'bob@example.com';
const PASSWORD = 'correct horse battery';

const namesOf = async (service: TestService, email: string) =>
  (await service.deps.store.passkeys.listForUser(await userIdOf(service, email))).map((p) => p.name).sort();

function assertNoScriptButOurs(page: TestResponse): void {
  const rest = page.text
    .replace('<script src="/assets/simplewebauthn-browser.js" defer></script>', '')
    .replace('<script src="/assets/passkeys.js" defer></script>', '')
    .replace('<script src="/assets/password-toggle.js" defer></script>', '');
  assert.doesNotMatch(rest, /<script|\sstyle="|\son[a-z]+="|javascript:/i);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /(^|;)script-src 'self'(;|$)/);
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
}

describe('the passkeys page without JavaScript', () => {
  let service: TestService;
  let ada: TestClient;
  const clock = new ManualClock(Date.now());
  let adaKey: string;
  let bobKey: string;

  before(async () => {
    service = await startTestService({}, { clock });
    await registerUser(service, ADA, PASSWORD, 'Ada');
    await registerUser(service, BOB, PASSWORD, 'Bob');
    adaKey = await storePasskey(service, ADA, 'Phone <b>', { synced: true });
    await storePasskey(service, ADA, 'Security key');
    bobKey = await storePasskey(service, BOB, 'Bob’s key');
    ada = await signedInClient(service, ADA, PASSWORD);
  });
  after(() => service.close());

  it('asks for sign-in first', async () => {
    const page = await new TestClient(service.url).get('/account/passkeys');
    assert.equal(page.status, 303);
    assert.equal(page.location, `/login?next=${encodeURIComponent('/account/passkeys')}`);
  });

  it('lists the passkeys (name escaped, added, last used, synced) with labelled plain forms; adding is hidden without JS', async () => {
    const page = await ada.get('/account/passkeys');
    assert.equal(page.status, 200);
    assertNoScriptButOurs(page);
    assert.match(page.text, /<strong>Phone &lt;b&gt;<\/strong>/);
    assert.match(page.text, /Synced \(available on your other devices/);
    assert.match(page.text, /Bound to one device/);
    assert.match(page.text, /<dt>Last used<\/dt><dd>never<\/dd>/);
    assert.match(
      page.text,
      new RegExp(`<form method="post" action="/account/passkeys/${adaKey}/rename"><input type="hidden" name="_csrf"`),
    );
    assert.match(page.text, new RegExp(`<label for="name-${adaKey}">New name for Phone &lt;b&gt;</label>`));
    assert.match(page.text, new RegExp(`<input id="name-${adaKey}" name="name" type="text" autocomplete="off" required maxlength="100"`));
    assert.match(
      page.text,
      new RegExp(`<form method="post" action="/account/passkeys/${adaKey}/remove"><input type="hidden" name="_csrf"`),
    );
    assert.doesNotMatch(page.text, /Bob’s key/);
    assert.match(page.text, /<form data-passkey-add hidden>/);
    assert.match(page.text, /<label for="passkey-name">Name of the new passkey<\/label>/);
    assert.match(page.text, /<p data-passkey-unsupported>/, 'says why there is no add button');
    // An empty live region, carrying the script's sentences in the page's language.
    assert.match(
      page.text,
      /<p class="passkey-status" data-passkey-status aria-live="polite" data-not-allowed="The passkey request was cancelled[^"]*"[^>]*><\/p>/,
    );
  });

  it('the account page links to it', async () => {
    assert.match((await ada.get('/')).text, /<a href="\/account\/passkeys">Passkeys<\/a>/);
  });

  it('renames with the plain form; names are trimmed, and a bad name gets a 400 page naming the problem', async () => {
    const renamed = await ada.submitForm('/account/passkeys', `/account/passkeys/${adaKey}/rename`, { name: '  Pixel  ' });
    assert.equal(renamed.status, 303);
    assert.equal(renamed.location, '/account/passkeys?notice=renamed');
    assert.match((await ada.get(renamed.location)).text, /The passkey was renamed\./);
    assert.deepEqual(await namesOf(service, ADA), ['Pixel', 'Security key']);
    for (const name of ['', '   ', 'x'.repeat(101), 'line\nbreak', 'tab\there']) {
      const refused = await ada.submitForm('/account/passkeys', `/account/passkeys/${adaKey}/rename`, { name });
      assert.equal(refused.status, 400, JSON.stringify(name));
      assert.match(refused.text, /Give the passkey a name of 1 to 100 characters/);
    }
    assert.deepEqual(await namesOf(service, ADA), ['Pixel', 'Security key']);
  });

  it("another account's passkey, or no passkey, is not found and stays as it was", async () => {
    for (const action of ['rename', 'remove']) {
      const page = await ada.submitForm(
        '/account/passkeys',
        `/account/passkeys/${bobKey}/${action}`,
        action === 'rename' ? { name: 'Mine' } : {},
      );
      assert.equal(page.status, 404, action);
      const unknown = await ada.submitForm(
        '/account/passkeys',
        `/account/passkeys/${newId()}/${action}`,
        action === 'rename' ? { name: 'Mine' } : {},
      );
      assert.equal(unknown.status, 404, action);
    }
    assert.deepEqual(await namesOf(service, BOB), ['Bob’s key']);
  });

  it('refuses a form without its CSRF token, and bad input of other shapes with a 4xx', async () => {
    const noToken = await ada.postForm(`/account/passkeys/${adaKey}/remove`, {});
    assert.equal(noToken.status, 403);
    const tooLong = await ada.submitForm('/account/passkeys', `/account/passkeys/${'a'.repeat(37)}/remove`, {});
    assert.equal(tooLong.status, 400);
    const extra = await ada.submitForm('/account/passkeys', `/account/passkeys/${adaKey}/remove`, { extra: '1' });
    assert.equal(extra.status, 400);
    assert.deepEqual(await namesOf(service, ADA), ['Pixel', 'Security key']);
  });

  it('removing needs a recent authentication: an old one is sent to "confirm it is you" and back', async () => {
    clock.advanceSeconds(service.config.account.recentAuthSeconds + 1);
    const page = await ada.submitForm('/account/passkeys', `/account/passkeys/${adaKey}/remove`, {});
    assert.equal(page.status, 303);
    assert.equal(page.location, `/account/confirm?next=${encodeURIComponent('/account/passkeys')}`);
    assert.deepEqual(await namesOf(service, ADA), ['Pixel', 'Security key']);
  });

  it('a recent sign-in removes it, with an audit event', async () => {
    const fresh = await signedInClient(service, ADA, PASSWORD);
    const page = await fresh.submitForm('/account/passkeys', `/account/passkeys/${adaKey}/remove`, {});
    assert.equal(page.status, 303);
    assert.equal(page.location, '/account/passkeys?notice=removed');
    assert.deepEqual(await namesOf(service, ADA), ['Security key']);
    const events = await service.deps.store.db.selectFrom('audit_events').select('type').where('type', '=', 'passkey.removed').execute();
    assert.equal(events.length, 1);
  });

  it('serves the two scripts from our origin, as JavaScript, not sniffable', async () => {
    for (const path of ['/assets/simplewebauthn-browser.js', '/assets/passkeys.js']) {
      const script = await new TestClient(service.url).get(path);
      assert.equal(script.status, 200, path);
      assert.match(script.headers.get('content-type') ?? '', /^text\/javascript; charset=utf-8/);
      assert.equal(script.headers.get('x-content-type-options'), 'nosniff');
      assert.doesNotMatch(script.text, /\beval\(|new Function\(/, `${path}: no eval`);
    }
    assert.match((await new TestClient(service.url).get('/assets/simplewebauthn-browser.js')).text, /SimpleWebAuthnBrowser/);
  });
});

describe('with PASSKEYS=off', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ PASSKEYS: 'off' });
    await registerUser(service, ADA, PASSWORD, 'Ada');
  });
  after(() => service.close());

  it('no page, no passkey script, no button, and /login keeps its plain autocomplete and a CSP without fetches', async () => {
    const ada = await signedInClient(service, ADA, PASSWORD);
    assert.equal((await ada.get('/account/passkeys')).status, 404);
    assert.equal((await ada.get('/assets/passkeys.js')).status, 404);
    assert.doesNotMatch((await ada.get('/')).text, /account\/passkeys/);
    const login = await new TestClient(service.url).get('/login');
    // Only the "show password" script, which fetches nothing.
    assert.doesNotMatch(login.text.replace('<script src="/assets/password-toggle.js" defer></script>', ''), /<script|passkey/i);
    assert.match(login.text, /autocomplete="username"/);
    assert.doesNotMatch(login.headers.get('content-security-policy') ?? '', /connect-src/);
  });
});
