import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { apiClient, registerUser, requestResetToken, signedInClient } from '../support/flows.ts';
import { SoftwareAuthenticator } from '../support/webauthn-authenticator.ts';

const EMAIL = 'keeps@example.com';
const PASSWORD = 'correct horse battery';

describe('a password reset ends sessions and pending passkey ceremonies, and leaves passkeys', () => {
  let service: TestService;

  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  it('sessions end, a registration challenge of the old session is dead, and the passkey still signs in', async () => {
    const origin = service.config.publicUrl.origin;
    await registerUser(service, EMAIL, PASSWORD);
    const old = await signedInClient(service, EMAIL, PASSWORD);
    const authenticator = new SoftwareAuthenticator();
    const creation = (await old.postJson('/api/passkeys/register/options', {})).json();
    assert.equal((await old.postJson('/api/passkeys/register/verify', { response: authenticator.create(creation, origin) })).status, 201);
    const pendingCreation = (await old.postJson('/api/passkeys/register/options', {})).json();

    const token = await requestResetToken(service, EMAIL);
    const reset = await apiClient(service).postJson('/api/password/reset', { token, password: 'a brand new passphrase' });
    assert.equal(reset.status, 200, reset.text);

    assert.equal((await old.get('/api/session')).status, 401, 'the old session ended');
    const late = await old.postJson('/api/passkeys/register/verify', {
      response: new SoftwareAuthenticator().create(pendingCreation, origin),
    });
    assert.equal(late.status, 401, 'no session, no registration');
    // Nor can a new session finish the old session's ceremony.
    const fresh = await signedInClient(service, EMAIL, 'a brand new passphrase');
    const stolen = await fresh.postJson('/api/passkeys/register/verify', {
      response: new SoftwareAuthenticator().create(pendingCreation, origin),
    });
    assert.equal(stolen.status, 400);
    assert.equal(stolen.json().error.code, 'PASSKEY_INVALID');

    const browser = apiClient(service);
    const options = (await browser.postJson('/api/login/passkey/options', {})).json();
    const signedIn = await browser.postJson('/api/login/passkey/verify', { response: authenticator.get(options, origin) });
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.equal((await browser.get('/api/passkeys')).json().passkeys.length, 1);
  });
});
