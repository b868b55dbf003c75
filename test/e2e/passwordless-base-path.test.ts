import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestService } from '../support/app.ts';
import { signInProofsIn } from '../support/passwordless.ts';
import { formAction, linkHref, PathCookieClient, pathsInPage } from '../support/path-cookie-client.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const BASE = '/auth';

describe('sign-in by a mailed link under a path (PUBLIC_URL=http://host/auth)', () => {
  let service: TestService;
  let origin: string;
  before(async () => {
    service = await startServiceAtOwnOrigin({}, {}, { path: BASE });
    origin = service.config.publicUrl.origin;
  });
  after(() => service.close());

  it('the login page, the mail, the link, its cookie and every redirect stay under /auth', async () => {
    const email = 'grace@example.com';
    const browser = new PathCookieClient(origin, { origin });
    const registered = await browser.request('POST', `${BASE}/api/register`, {
      body: JSON.stringify({ email, password: 'first long passphrase' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(registered.status, 202);
    await service.smtp.waitForMail(email, { subject: /Welcome/ });

    const login = await browser.get(`${BASE}/login?return_to=%2Faccount%2Fsessions`);
    const askPage = await browser.get(linkHref(login.text, '/login/email'));
    assert.equal(askPage.status, 200);
    for (const path of pathsInPage(askPage.text)) assert.ok(path.startsWith(`${BASE}/`), path);
    const asked = await browser.postForm(formAction(askPage.text, '/login/email'), { _csrf: askPage.csrfToken(), email });
    assert.equal(asked.status, 303);
    assert.equal(asked.location, `${BASE}/login/email/code?email=grace%40example.com&return_to=%2Faccount%2Fsessions`);

    const mail = await service.smtp.waitForMail(email, { subject: /^Sign in to/ });
    const { link, token } = signInProofsIn(mail);
    assert.equal(link, `${origin}${BASE}/login/link/${token}?return_to=%2Faccount%2Fsessions`);
    const opened = await browser.get(link);
    assert.equal(opened.status, 303);
    assert.equal(opened.location, `${BASE}/login/link?return_to=%2Faccount%2Fsessions`);
    assert.match(browser.setCookies.at(-1) ?? '', /^lk_login_link=[^;]+;.*Path=\/auth\/login\/link;/);
    const page = await browser.get(opened.location as string);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    const pressed = await browser.postForm(formAction(page.text, '/login/link'), { _csrf: page.csrfToken() });
    assert.equal(pressed.status, 303, pressed.text.slice(0, 300));
    assert.equal(pressed.location, `${BASE}/account/sessions`);
    assert.ok(browser.cookiesFor(`${BASE}/`).includes('lk_session'));
    assert.deepEqual(browser.cookiesFor('/'), [], 'no cookie outside /auth');
  });
});
