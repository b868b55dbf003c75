import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import QRCode from 'qrcode';
import { twoStepSection } from '../../src/flows/settings/views.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { registerUser } from '../support/flows.ts';
import { totpCode } from '../support/totp.ts';

const PASSWORD = 'correct horse battery';
const EMAIL = 'ada@example.com';

/** The page rules: HTML, no script but the "show password" one, no inline style or handler, not cached, the strict CSP. */
function assertPageShell(page: TestResponse): void {
  assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
  assert.doesNotMatch(
    page.text.replace('<script src="/assets/password-toggle.js" defer></script>', ''),
    /<script|\sstyle="|\son[a-z]+="|javascript:/i,
  );
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.doesNotMatch(page.headers.get('content-security-policy') ?? '', /unsafe-inline/);
}

/** The grouped secret shown for typing by hand, without its spaces. */
function secretOn(page: TestResponse): string {
  const grouped = /<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1];
  assert.ok(grouped, 'the secret as text');
  assert.match(grouped, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'in groups of four');
  return grouped.replace(/ /g, '');
}

const codesOn = (page: TestResponse) =>
  [...page.text.matchAll(/<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})<\/code><\/li>/g)].map((m) => m[1] as string);

describe('two-step sign-in pages: set up with a QR code, recovery codes once with a download, new codes, turn off', () => {
  const clock = new ManualClock(Date.now());
  let service: TestService;
  let browser: TestClient;
  before(async () => {
    service = await startTestService({}, { clock });
    await registerUser(service, EMAIL, PASSWORD);
    browser = new TestClient(service.url);
    const signedIn = await browser.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    assert.equal(signedIn.status, 303);
  });
  after(() => service.close());

  it('sends a signed-out visitor to sign in', async () => {
    const page = await new TestClient(service.url).get('/account/two-factor');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/login?next=%2Faccount%2Ftwo-factor');
  });

  it('refuses every form without its CSRF token and every API change from a foreign Origin', async () => {
    const forms: Array<[string, Record<string, string>]> = [
      ['/account/two-factor/setup', {}],
      ['/account/two-factor/confirm', { code: '123456' }],
      ['/account/two-factor/recovery-codes', {}],
      ['/account/two-factor/recovery-codes.txt', { codes: 'abcd-efgh-jkmn' }],
      ['/account/two-factor/disable', { code: '123456' }],
    ];
    for (const [path, fields] of forms) {
      const refused = await browser.postForm(path, fields);
      assert.equal(refused.status, 403, path);
      assert.match(refused.text, /The form expired or did not come from this site/, path);
    }
    const foreign = { origin: 'https://evil.example' };
    const calls = [
      await browser.postJson('/api/mfa/totp/setup', {}, foreign),
      await browser.postJson('/api/mfa/totp/confirm', { code: '123456' }, foreign),
      await browser.postJson('/api/mfa/recovery-codes', {}, foreign),
      await browser.request('DELETE', '/api/mfa/totp', {
        body: '{"code":"123456"}',
        headers: { 'content-type': 'application/json', ...foreign },
      }),
    ];
    for (const call of calls) {
      assert.equal(call.status, 403);
      assert.equal(call.json().error.code, 'ORIGIN_NOT_ALLOWED');
    }
    assert.equal(
      await service.deps.store.mfa.findTotp((await service.deps.store.users.findByCanonicalEmail(EMAIL))?.id as string),
      undefined,
    );
  });

  it('sets up from the QR page: inline SVG, the secret in groups of four, a one-time-code field, no script', async () => {
    const overview = await browser.get('/account/two-factor');
    assert.equal(overview.status, 200);
    assertPageShell(overview);
    assert.match(overview.text, /Two-step sign-in is off/);
    assert.doesNotMatch(overview.text, /name="password"/, 'a fresh sign-in is a recent authentication');
    const started = await browser.postForm('/account/two-factor/setup', { _csrf: overview.csrfToken() });
    assert.equal(started.status, 303);
    assert.equal(started.location, '/account/two-factor/setup');

    const setup = await browser.get('/account/two-factor/setup');
    assert.equal(setup.status, 200);
    assertPageShell(setup);
    assert.match(
      setup.text,
      /<figure class="qr" role="img" aria-label="[^"]+"><svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="200" height="200" viewBox="[^"]+"[^>]*><path /,
    );
    const secret = secretOn(setup);
    const userId = (await service.deps.store.users.findByCanonicalEmail(EMAIL))?.id as string;
    const pending = await service.deps.mfa.totp.pendingSetup(service.deps.store, userId, EMAIL);
    assert.equal(pending?.secret, secret);
    assert.match(pending.otpauthUrl, new RegExp(`^otpauth://totp/Latchkey:ada%40example\\.com\\?.*secret=${secret}`));
    const expected = await QRCode.toString(pending.otpauthUrl, { type: 'svg', width: 200, margin: 2, errorCorrectionLevel: 'M' });
    assert.ok(setup.text.includes(expected), 'the QR code encodes the otpauth URL of this secret');
    assert.match(setup.text, /<input id="code" name="code" type="text" autocomplete="one-time-code" inputmode="numeric"/);
    assert.match(setup.text, /<label for="code">/);
    const reloaded = await browser.get('/account/two-factor/setup');
    assert.equal(secretOn(reloaded), secret, 'a reload shows the same secret, it does not make a new one');

    const right = totpCode(secret, clock.nowMs());
    const wrong = await browser.postForm('/account/two-factor/confirm', {
      _csrf: setup.csrfToken(),
      code: right === '000000' ? '111111' : '000000',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /The code is not correct/);
    assert.equal(secretOn(wrong), secret, 'the same secret again, to try another code');

    const confirmed = await browser.postForm('/account/two-factor/confirm', {
      _csrf: setup.csrfToken(),
      code: `${right.slice(0, 3)} ${right.slice(3)}`,
    });
    assert.equal(confirmed.status, 200, confirmed.text.slice(0, 500));
    assertPageShell(confirmed);
    const codes = codesOn(confirmed);
    assert.equal(codes.length, 10);
    assert.match(confirmed.text, /shown only this once/);
    assert.match(confirmed.text, new RegExp(`<input type="hidden" name="codes" value="${codes.join(' ')}">`));

    const download = await browser.postForm('/account/two-factor/recovery-codes.txt', {
      _csrf: confirmed.csrfToken(),
      codes: codes.join(' '),
    });
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/);
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="latchkey-recovery-codes.txt"');
    assert.equal(download.headers.get('cache-control'), 'no-store');
    for (const code of codes) assert.ok(download.text.includes(`\n${code}\n`), code);
    assert.match(download.text, /recovery codes for ada@example\.com/);
    const bogus = await browser.postForm('/account/two-factor/recovery-codes.txt', { _csrf: confirmed.csrfToken(), codes: '<b>hi</b>' });
    assert.equal(bogus.status, 400, 'only code-shaped values come back');
    const forged = await browser.postForm('/account/two-factor/recovery-codes.txt', { _csrf: 'forged', codes: codes.join(' ') });
    assert.equal(forged.status, 403);

    const account = (await browser.get('/api/account', { origin: service.config.publicUrl.origin })).json().account;
    assert.deepEqual(account.twoFactor, { totp: true, recoveryCodesLeft: 10 });
    const section = twoStepSection(account).value;
    assert.match(section, /<h2 id="two-step-heading">Two-step sign-in<\/h2>/);
    assert.match(section, /On: a code from your authenticator app after your password \(10 recovery codes left\)/);
    assert.match(section, /<a href="\/account\/two-factor">Manage two-step sign-in<\/a>/);
    assert.match(twoStepSection({ twoFactor: { totp: false, recoveryCodesLeft: 0 } }).value, /Off: .*Turn on two-step sign-in/s);
    const on = await browser.get('/account/two-factor');
    assert.match(on.text, /Two-step sign-in is on/);
    assert.match(on.text, /10 recovery codes are left/);
    const again = await browser.get('/account/two-factor/setup');
    assert.doesNotMatch(again.text, /class="secret"/, 'a confirmed secret is never shown again');
    assert.match(again.text, /already set up/);
  });

  it('makes new recovery codes after a confirmation, asking for the password once the sign-in is not recent', async () => {
    const ask = await browser.get('/account/two-factor/recovery-codes');
    assert.equal(ask.status, 200);
    assertPageShell(ask);
    assert.match(ask.text, /stop working at once/);
    clock.advanceSeconds(601);
    const stale = await browser.get('/account/two-factor/recovery-codes');
    assert.match(stale.text, /<input id="password" name="password" type="password" autocomplete="current-password"/);
    const refused = await browser.postForm('/account/two-factor/recovery-codes', { _csrf: stale.csrfToken() });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /enter your password again/);
    const wrong = await browser.postForm('/account/two-factor/recovery-codes', { _csrf: stale.csrfToken(), password: 'not it' });
    assert.equal(wrong.status, 400);
    const made = await browser.postForm('/account/two-factor/recovery-codes', { _csrf: stale.csrfToken(), password: PASSWORD });
    assert.equal(made.status, 200);
    assert.equal(codesOn(made).length, 10);
    assert.match(made.text, /The earlier ones no longer work/);
  });

  it('turns off with a current code, back to "off" with a notice', async () => {
    const userId = (await service.deps.store.users.findByCanonicalEmail(EMAIL))?.id as string;
    const form = await browser.get('/account/two-factor/disable');
    assert.equal(form.status, 200);
    assertPageShell(form);
    assert.match(form.text, /<input id="code" name="code" type="text" autocomplete="one-time-code"/);
    assert.doesNotMatch(form.text, /name="password"/, 'the password given above is recent');
    const wrong = await browser.postForm('/account/two-factor/disable', { _csrf: form.csrfToken(), code: 'abcd-efgh-jkmn' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /The code is not correct/);
    assert.ok(await service.deps.mfa.totp.isEnabled(service.deps.store, userId));
    // The secret is only ever shown before confirming: take a recovery code from a regeneration instead.
    const regenerate = await browser.get('/account/two-factor/recovery-codes');
    const codes = codesOn(await browser.postForm('/account/two-factor/recovery-codes', { _csrf: regenerate.csrfToken() }));
    const off = await browser.postForm('/account/two-factor/disable', { _csrf: form.csrfToken(), code: codes[0] as string });
    assert.equal(off.status, 303);
    assert.equal(off.location, '/account/two-factor?notice=off');
    const page = await browser.get(off.location as string);
    assert.match(page.text, /Two-step sign-in is off\. Your authenticator app and recovery codes no longer work/);
    assert.equal(await service.deps.mfa.totp.isEnabled(service.deps.store, userId), false);
    assert.equal((await browser.get('/account/two-factor/disable')).status, 409);
  });
});
