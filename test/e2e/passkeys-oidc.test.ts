import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { TestService } from '../support/app.ts';
import { apiClient, registerUser, signedInClient } from '../support/flows.ts';
import {
  callbackServer,
  followAuthorization,
  type OidcPortsForTest,
  registerClient,
  relyingParty,
  startAuthorization,
  startOidcService,
  verifyJwtWithJwks,
} from '../support/oidc.ts';
import { SoftwareAuthenticator } from '../support/webauthn-authenticator.ts';

const PASSWORD = 'correct horse battery';

describe('an OpenID Connect sign-in with a passkey', () => {
  let service: TestService;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let config: oidc.Configuration;

  before(async () => {
    let ports: OidcPortsForTest;
    ({ service, ports } = await startOidcService());
    callback = await callbackServer();
    config = await relyingParty(service, await registerClient(ports, { redirectUris: [callback.url] }));
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  it('a session signed in with a passkey alone gives an ID token with amr ["hwk", "user"]', async () => {
    const email = 'oidc-passkey@example.com';
    const origin = service.config.publicUrl.origin;
    await registerUser(service, email, PASSWORD);
    const settings = await signedInClient(service, email, PASSWORD);
    const authenticator = new SoftwareAuthenticator();
    const creation = (await settings.postJson('/api/passkeys/register/options', {})).json();
    assert.equal(
      (await settings.postJson('/api/passkeys/register/verify', { response: authenticator.create(creation, origin) })).status,
      201,
    );

    const browser = apiClient(service);
    const options = (await browser.postJson('/api/login/passkey/options', {})).json();
    const signedIn = await browser.postJson('/api/login/passkey/verify', { response: authenticator.get(options, origin) });
    assert.equal(signedIn.status, 200, signedIn.text);

    const request = await startAuthorization(config, callback.url);
    const outcome = await followAuthorization(browser, request.url);
    assert.ok(outcome.left, `stopped on ${outcome.stopped?.status} ${outcome.stopped?.text.slice(0, 200)}`);
    const tokens = await oidc.authorizationCodeGrant(config, outcome.left, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
    });
    const claims = await verifyJwtWithJwks(tokens.id_token as string, service.at('/oidc/jwks'));
    assert.deepEqual(claims.amr, ['hwk', 'user']);
    assert.equal(claims.sub, signedIn.json().user.id);
  });
});
