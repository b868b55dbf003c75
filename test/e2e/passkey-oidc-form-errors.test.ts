import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, signedInClient } from '../support/flows.ts';
import { assertFormAgain } from '../support/form-errors.ts';
import {
  callbackServer,
  followAuthorization,
  type OidcPortsForTest,
  registerClient,
  relyingParty,
  startAuthorization,
  startOidcService,
} from '../support/oidc.ts';
import { storePasskey } from '../support/passkeys.ts';
import { userIdOf } from '../support/webauthn.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const STALE_CSRF = 'x'.repeat(43);

describe('the passkey forms and the consent page answer bad input with the same page, not an error page', () => {
  let service: Awaited<ReturnType<typeof startOidcService>>['service'];
  let ports: OidcPortsForTest;
  let callback: Awaited<ReturnType<typeof callbackServer>>;

  before(async () => {
    ({ service, ports } = await startOidcService({ PASSKEYS: 'on' }));
    callback = await callbackServer();
    await registerUser(service, EMAIL, PASSWORD, 'Ada');
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  it('rename: a name refused, too long or missing is shown at that passkey’s field, the typed name kept', async () => {
    const browser = await signedInClient(service, EMAIL, PASSWORD);
    const phone = await storePasskey(service, EMAIL, 'Phone');
    const key = await storePasskey(service, EMAIL, 'Key');
    const field = `name-${key}`;
    const action = `/account/passkeys/${key}/rename`;

    const refused = await browser.submitForm('/account/passkeys', action, { name: 'bad\u0007name' });
    assertFormAgain(refused, {
      status: 400,
      title: 'Passkeys',
      fields: { [field]: /1 to 100 characters/ },
      kept: { [field]: 'bad\u0007name' },
    });
    // The other passkey's form is as it was: its own name, no problem.
    assert.match(
      refused.text,
      new RegExp(`<input id="name-${phone}" name="name" type="text" autocomplete="off" required maxlength="100" value="Phone">`),
    );

    const long = 'k'.repeat(1100);
    const tooLong = await browser.submitForm('/account/passkeys', action, { name: long });
    assertFormAgain(tooLong, { status: 400, title: 'Passkeys', fields: { [field]: /at most 1024 characters/ }, kept: { [field]: long } });

    const missing = await browser.submitForm('/account/passkeys', action, {});
    assertFormAgain(missing, { status: 400, title: 'Passkeys', fields: { [field]: /Enter the new name/ } });

    const names = (await service.deps.store.passkeys.listForUser(await userIdOf(service, EMAIL))).map((p) => p.name);
    assert.deepEqual(names.sort(), ['Key', 'Phone'], 'nothing was renamed');
  });

  it('rename and remove with an expired form: 403, the page renewed with the problem on top; the renewed form works', async () => {
    const browser = await signedInClient(service, EMAIL, PASSWORD);
    const spare = await storePasskey(service, EMAIL, 'Spare');
    await browser.get('/account/passkeys');
    const stale = await browser.postForm(`/account/passkeys/${spare}/rename`, { _csrf: STALE_CSRF, name: 'Spare key' });
    assertFormAgain(stale, { status: 403, title: 'Passkeys', form: /form expired/, kept: { [`name-${spare}`]: 'Spare key' } });
    const renamed = await browser.postForm(`/account/passkeys/${spare}/rename`, { _csrf: stale.csrfToken(), name: 'Spare key' });
    assert.equal(renamed.status, 303);

    const staleRemove = await browser.postForm(`/account/passkeys/${spare}/remove`, { _csrf: STALE_CSRF });
    assertFormAgain(staleRemove, { status: 403, title: 'Passkeys', form: /form expired/ });
    const removed = await browser.postForm(`/account/passkeys/${spare}/remove`, { _csrf: staleRemove.csrfToken() });
    assert.equal(removed.status, 303);
    assert.equal(removed.location, '/account/passkeys?notice=removed');
  });

  it('consent: an expired form or a decision that is neither allow nor deny shows the consent page again', async () => {
    const app = await registerClient(ports, { name: 'Photo Printer', redirectUris: [callback.url], skipConsent: false });
    const browser = await signedInClient(service, EMAIL, PASSWORD);
    const asked = await followAuthorization(browser, (await startAuthorization(await relyingParty(service, app), callback.url)).url);
    const page = asked.stopped;
    assert.ok(page);
    const action = /action="(\/oidc\/interaction\/[\w-]+\/consent)"/.exec(page.text)?.[1] as string;
    const title = 'Allow Photo Printer to sign you in?';

    const stale = await browser.postForm(action, { _csrf: STALE_CSRF, decision: 'allow' });
    assertFormAgain(stale, { status: 403, title, form: /form expired/ });
    assert.match(stale.text, /<button type="submit" name="decision" value="allow">Allow<\/button>/);

    const strange = await browser.postForm(action, { _csrf: stale.csrfToken(), decision: 'maybe' });
    assertFormAgain(strange, { status: 400, title, form: /Your answer is not valid/ });

    const allowed = await browser.postForm(action, { _csrf: strange.csrfToken(), decision: 'allow' });
    assert.equal(allowed.status, 200);
    const refresh = /url=([^"]+)"/.exec(allowed.text)?.[1]?.replaceAll('&amp;', '&') as string;
    assert.ok((await followAuthorization(browser, new URL(refresh, service.url))).left?.searchParams.get('code'));
  });
});
