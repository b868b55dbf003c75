import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { errorMessage } from '../../src/kernel/errors.ts';
import { newId } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import type { TestClient, TestResponse } from '../support/client.ts';
import { headersWithoutDate, registerUser, signedInClient } from '../support/flows.ts';
import { userIdOf } from '../support/webauthn.ts';

const ADA = 'ada@example.com';
const BOB = 'bob@example.com';
const PASSWORD = 'correct horse battery';

async function storePasskey(service: TestService, email: string, name: string) {
  const record = {
    id: newId(),
    userId: await userIdOf(service, email),
    credentialId: randomBytes(32).toString('base64url'),
    publicKey: randomBytes(77).toString('base64url'),
    counter: 7,
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    aaguid: null,
    name,
    nowMs: service.deps.clock.nowMs(),
  };
  assert.ok(await service.deps.store.passkeys.create(record));
  return record;
}

/** Status, body (with the page's CSRF token blanked) and headers but Date and Set-Cookie. */
function comparable(response: TestResponse) {
  return {
    status: response.status,
    body: response.text.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""'),
    headers: headersWithoutDate(response).filter(([name]) => name !== 'set-cookie'),
  };
}

describe('the passkeys page: CSRF, Origin, other accounts, nothing secret shown', () => {
  let service: TestService;
  let ada: TestClient;
  let adaKey: Awaited<ReturnType<typeof storePasskey>>;
  let bobKey: Awaited<ReturnType<typeof storePasskey>>;

  before(async () => {
    service = await startTestService();
    await registerUser(service, ADA, PASSWORD, 'Ada');
    await registerUser(service, BOB, PASSWORD, 'Bob');
    adaKey = await storePasskey(service, ADA, 'Ada’s key');
    bobKey = await storePasskey(service, BOB, 'Bob’s key');
    ada = await signedInClient(service, ADA, PASSWORD);
  });
  after(() => service.close());

  const names = async (email: string) => (await service.deps.store.passkeys.listForUser(await userIdOf(service, email))).map((p) => p.name);

  it('every form is refused without its CSRF token, with a wrong one, and from another origin', async () => {
    const csrf = (await ada.get('/account/passkeys')).csrfToken();
    for (const action of ['rename', 'remove']) {
      const path = `/account/passkeys/${adaKey.id}/${action}`;
      const fields: Record<string, string> = action === 'rename' ? { name: 'Taken' } : {};
      const missing = await ada.postForm(path, fields);
      assert.equal(missing.status, 403, `${action} without a token`);
      assert.match(missing.text, /The form expired or did not come from this site\. We renewed it/, `${action}: the page again, renewed`);
      assert.equal((await ada.postForm(path, { _csrf: `${csrf.slice(0, -2)}AA`, ...fields })).status, 403, `${action}, wrong token`);
      const foreign = await ada.postForm(path, { _csrf: csrf, ...fields }, { origin: 'https://evil.example' });
      assert.equal(foreign.status, 403, `${action} from another origin`);
      assert.ok(foreign.text.includes(errorMessage('ORIGIN_NOT_ALLOWED')));
    }
    assert.deepEqual(await names(ADA), ['Ada’s key']);
  });

  it("another account's passkey answers exactly like one that does not exist, and stays as it was", async () => {
    for (const action of ['rename', 'remove']) {
      const fields: Record<string, string> = action === 'rename' ? { name: 'Mine now' } : {};
      const theirs = await ada.submitForm('/account/passkeys', `/account/passkeys/${bobKey.id}/${action}`, fields);
      const none = await ada.submitForm('/account/passkeys', `/account/passkeys/${newId()}/${action}`, fields);
      assert.equal(theirs.status, 404, action);
      assert.deepEqual(comparable(theirs), comparable(none), action);
      assert.doesNotMatch(theirs.text, /Bob/);
    }
    assert.deepEqual(await names(BOB), ['Bob’s key']);
  });

  it("the page shows neither the credential id, the public key nor the counter, and never another account's passkey", async () => {
    const page = await ada.get('/account/passkeys');
    assert.equal(page.status, 200);
    for (const secretish of [adaKey.credentialId, adaKey.publicKey, bobKey.credentialId, bobKey.id, 'Bob’s key']) {
      assert.ok(!page.text.includes(secretish), secretish);
    }
    assert.match(page.text, /Ada’s key/);
  });

  it('bad ids and names of every shape get a 4xx, never a 500', async () => {
    const csrf = (await ada.get('/account/passkeys')).csrfToken();
    const cases: Array<[string, Record<string, string>]> = [
      [`/account/passkeys/${'x'.repeat(37)}/rename`, { _csrf: csrf, name: 'ok' }],
      [`/account/passkeys/${adaKey.id}/rename`, { _csrf: csrf }],
      [`/account/passkeys/${adaKey.id}/rename`, { _csrf: csrf, name: 'x'.repeat(1025) }],
      [`/account/passkeys/${adaKey.id}/rename`, { _csrf: csrf, name: 'a\u0000b' }],
      [`/account/passkeys/${adaKey.id}/rename`, { _csrf: csrf, name: '\u007f' }],
      [`/account/passkeys/${adaKey.id}/remove`, { _csrf: csrf, id: adaKey.id }],
      ['/account/passkeys/%E0%A4%A/remove', { _csrf: csrf }],
    ];
    for (const [path, fields] of cases) {
      const response = await ada.postForm(path, fields);
      assert.ok(response.status >= 400 && response.status < 500, `${path} ${JSON.stringify(fields).slice(0, 80)}: ${response.status}`);
    }
    // A name sent twice (an array) is refused too.
    const doubled = await ada.request('POST', `/account/passkeys/${adaKey.id}/rename`, {
      body: `_csrf=${encodeURIComponent(csrf)}&name=a&name=b`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(doubled.status, 400);
    assert.deepEqual(await names(ADA), ['Ada’s key']);
  });
});
