import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestService } from '../support/app.ts';
import { formAction, linkHref, PathCookieClient, pathsInPage } from '../support/path-cookie-client.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';
import { totpCode } from '../support/totp.ts';

const BASE = '/auth';
const EMAIL = 'grace@example.com';
const PASSWORD = 'first long passphrase';

/**
 * PUBLIC_URL=http://127.0.0.1:<port>/auth: two-step sign-in set up through the pages, every form
 * action, link and redirect taken from the pages and checked to carry the base path, and the
 * notice mail's links under PUBLIC_URL.
 */
describe('two-step sign-in pages under a path', () => {
  let service: TestService;
  let origin: string;
  before(async () => {
    service = await startServiceAtOwnOrigin({}, {}, { path: BASE });
    origin = service.config.publicUrl.origin;
    // Registered and confirmed through the API under the path.
    const api = new PathCookieClient(origin, { origin, 'content-type': 'application/json' });
    assert.equal(
      (await api.request('POST', `${BASE}/api/register`, { body: JSON.stringify({ email: EMAIL, password: PASSWORD }) })).status,
      202,
    );
    const welcome = await service.smtp.waitForMail(EMAIL, { subject: /Welcome/ });
    const token = /\/confirm-email\/([A-Za-z0-9_-]+)/.exec(welcome.parsed.text ?? '')?.[1];
    assert.equal((await api.request('POST', `${BASE}/api/confirm`, { body: JSON.stringify({ token }) })).status, 200);
  });
  after(() => service.close());

  const assertUnderBase = (page: string, where: string) => {
    for (const path of pathsInPage(page)) assert.ok(path.startsWith(`${BASE}/`), `${where}: "${path}" is outside ${BASE}`);
  };

  it('sets up, confirms and downloads the codes with every path under /auth', async () => {
    const browser = new PathCookieClient(origin);
    const login = await browser.get(`${BASE}/login`);
    const signedIn = await browser.postForm(formAction(login.text, '/login'), {
      _csrf: login.csrfToken(),
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(signedIn.status, 303);

    const overview = await browser.get(`${BASE}/account/two-factor`);
    assert.equal(overview.status, 200);
    assertUnderBase(overview.text, 'two-step page');
    const started = await browser.postForm(formAction(overview.text, '/account/two-factor/setup'), { _csrf: overview.csrfToken() });
    assert.equal(started.status, 303);
    assert.equal(started.location, `${BASE}/account/two-factor/setup`);

    const setup = await browser.get(started.location as string);
    assertUnderBase(setup.text, 'set-up page');
    const secret = (/<code class="secret" id="secret">([A-Z2-7 ]+)<\/code>/.exec(setup.text)?.[1] ?? '').replace(/ /g, '');
    const confirmed = await browser.postForm(formAction(setup.text, '/account/two-factor/confirm'), {
      _csrf: setup.csrfToken(),
      code: totpCode(secret),
    });
    assert.equal(confirmed.status, 200);
    assertUnderBase(confirmed.text, 'recovery codes page');
    const codes = [...confirmed.text.matchAll(/<li><code>([0-9a-z-]{14})<\/code><\/li>/g)].map((m) => m[1] as string);
    assert.equal(codes.length, 10);
    const download = await browser.postForm(formAction(confirmed.text, 'recovery-codes.txt'), {
      _csrf: confirmed.csrfToken(),
      codes: codes.join(' '),
    });
    assert.equal(download.status, 200);
    assert.match(download.text, new RegExp(`Sign in: ${origin}${BASE}/login`));

    const done = await browser.get(linkHref(confirmed.text, '/account/two-factor'));
    assert.match(done.text, /Two-step sign-in is on/);
    const mail = await service.smtp.waitForMail(EMAIL, { subject: /Two-step sign-in was turned on/ });
    const links = [...(mail.parsed.text ?? '').matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
    assert.deepEqual(links, [
      `${origin}${BASE}/account/two-factor`,
      `${origin}${BASE}/forgot-password`,
      `${origin}${BASE}/account/activity`,
    ]);
  });
});
