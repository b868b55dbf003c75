import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { TestService } from '../support/app.ts';
import { registerUser, signedInClient } from '../support/flows.ts';
import {
  callbackServer,
  followAuthorization,
  type OidcPortsForTest,
  oauthError,
  registerClient,
  relyingParty,
  startAuthorization,
  startOidcService,
  verifyJwtWithJwks,
} from '../support/oidc.ts';
import { startServiceAtOwnOrigin } from '../support/public-service.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('OpenID Connect code flow over HTTP (a signed-in browser, openid-client as the app)', () => {
  let service: TestService;
  let ports: OidcPortsForTest;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let app: { clientId: string; clientSecret?: string | undefined };
  let config: oidc.Configuration;

  before(async () => {
    ({ service, ports } = await startOidcService());
    callback = await callbackServer();
    app = await registerClient(ports, { redirectUris: [callback.url] });
    config = await relyingParty(service, app);
    await registerUser(service, EMAIL, PASSWORD, 'Ada Lovelace');
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  async function codeFor(email = EMAIL, password = PASSWORD, extra: Record<string, string> = {}) {
    const browser = await signedInClient(service, email, password);
    const request = await startAuthorization(config, callback.url, extra);
    const outcome = await followAuthorization(browser, request.url);
    assert.ok(
      outcome.left,
      `the authorization stopped on a Latchkey page: ${outcome.stopped?.status} ${outcome.stopped?.text.slice(0, 200)}`,
    );
    return { ...request, callbackUrl: outcome.left, browser };
  }

  it('publishes discovery with code flow only, PKCE S256 and the endpoints', async () => {
    const discovery = (await (await fetch(service.at('/.well-known/openid-configuration'))).json()) as Record<string, unknown>;
    assert.equal(discovery.issuer, service.config.publicUrl.origin);
    assert.deepEqual(discovery.response_types_supported, ['code']);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'revocation_endpoint',
      'introspection_endpoint',
      'end_session_endpoint',
    ]) {
      assert.match(String(discovery[endpoint]), new RegExp(`^${service.config.publicUrl.origin}/oidc/`), endpoint);
    }
  });

  it('issues a verified ID token, userinfo and a rotating refresh token', async () => {
    // offline_access (a refresh token) needs prompt=consent; a first-party app still sees no page.
    const { callbackUrl, verifier, state } = await codeFor(EMAIL, PASSWORD, { prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state });
    const claims = await verifyJwtWithJwks(tokens.id_token as string, service.at('/oidc/jwks'));
    const user = await service.deps.store.users.findByCanonicalEmail(EMAIL);
    assert.equal(claims.sub, user?.id);
    assert.equal(claims.iss, service.config.publicUrl.origin);
    assert.equal(claims.aud, app.clientId);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(typeof claims.auth_time, 'number');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, user?.id as string);
    assert.equal(info.email, EMAIL);
    assert.equal(info.email_verified, true);
    assert.equal(info.name, 'Ada Lovelace');
    assert.ok(tokens.refresh_token);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'the refresh token rotates');
    // Reusing the rotated token revokes the whole grant: the newer token dies too.
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token as string), oauthError('invalid_grant'));
    await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token as string), oauthError('invalid_grant'));
  });

  it('after `keys rotate`, new ID tokens use the new key and old ones still verify against the JWKS', async () => {
    const { callbackUrl, verifier, state } = await codeFor();
    const before = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state });
    const oldKid = JSON.parse(Buffer.from((before.id_token as string).split('.')[0] as string, 'base64url').toString()).kid;
    await service.deps.oidc.signingKeys.rotate(Date.now());
    // The running provider keeps its keys until it restarts: a second service on the same database is the restart.
    const restarted = await startServiceAtOwnOrigin({ DATABASE_URL: service.databaseUrl, CONFIRM_EMAIL: 'optional' });
    try {
      await verifyJwtWithJwks(before.id_token as string, restarted.at('/oidc/jwks'));
      const browser = await signedInClient(restarted, EMAIL, PASSWORD);
      const config2 = await relyingParty(restarted, app);
      const request = await startAuthorization(config2, callback.url);
      const outcome = await followAuthorization(browser, request.url);
      assert.ok(outcome.left);
      const after = await oidc.authorizationCodeGrant(config2, outcome.left, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
      });
      const newKid = JSON.parse(Buffer.from((after.id_token as string).split('.')[0] as string, 'base64url').toString()).kid;
      assert.notEqual(newKid, oldKid);
      await verifyJwtWithJwks(after.id_token as string, restarted.at('/oidc/jwks'));
    } finally {
      await restarted.close();
    }
  });

  it('the consent page of an app that is not first-party needs its CSRF token; Deny sends access_denied back', async () => {
    const other = await registerClient(ports, { name: 'Photo Printer', redirectUris: [callback.url], skipConsent: false });
    const otherConfig = await relyingParty(service, other);
    const browser = await signedInClient(service, EMAIL, PASSWORD);
    const request = await startAuthorization(otherConfig, callback.url);
    const outcome = await followAuthorization(browser, request.url);
    assert.equal(outcome.stopped?.status, 200);
    assert.match(outcome.stopped?.text ?? '', /Allow Photo Printer to sign you in\?/);
    const action = /action="(\/oidc\/interaction\/[\w-]+\/consent)"/.exec(outcome.stopped?.text ?? '')?.[1] as string;
    const forged = await browser.postForm(action, { decision: 'allow' });
    assert.equal(forged.status, 403);
    const denied = await browser.postForm(action, { _csrf: outcome.stopped?.csrfToken() as string, decision: 'deny' });
    assert.equal(denied.status, 200);
    const refresh = /url=([^"]+)"/.exec(denied.text)?.[1]?.replaceAll('&amp;', '&') as string;
    const left = (await followAuthorization(browser, new URL(refresh, service.url))).left;
    assert.equal(left?.searchParams.get('error'), 'access_denied');
    assert.equal(left?.searchParams.get('code'), null);
  });

  it('remembers an Allow beyond the browser session, until a credential change forgets it', async () => {
    const email = 'consent@example.com';
    await registerUser(service, email, PASSWORD, 'Consent Tester');
    const other = await registerClient(ports, { name: 'Map Maker', redirectUris: [callback.url], skipConsent: false });
    const otherConfig = await relyingParty(service, other);
    const consentAsked = async (browser: Awaited<ReturnType<typeof signedInClient>>) => {
      const outcome = await followAuthorization(browser, (await startAuthorization(otherConfig, callback.url)).url);
      return outcome.left ? undefined : outcome.stopped;
    };

    const first = await signedInClient(service, email, PASSWORD);
    const page = await consentAsked(first);
    assert.match(page?.text ?? '', /Allow Map Maker to sign you in\?/);
    const action = /action="(\/oidc\/interaction\/[\w-]+\/consent)"/.exec(page?.text ?? '')?.[1] as string;
    const allowed = await first.postForm(action, { _csrf: page?.csrfToken() as string, decision: 'allow' });
    const refresh = /url=([^"]+)"/.exec(allowed.text)?.[1]?.replaceAll('&amp;', '&') as string;
    assert.ok((await followAuthorization(first, new URL(refresh, service.url))).left?.searchParams.get('code'));

    // Another browser, another Latchkey session and no OIDC session: not asked again.
    assert.equal(await consentAsked(await signedInClient(service, email, PASSWORD)), undefined);

    // A password change ends the apps' grants, and the remembered Allow with them.
    const changed = await first.postJson('/api/password/change', { current_password: PASSWORD, new_password: `${PASSWORD} two` });
    assert.equal(changed.status, 200, changed.text);
    const again = await consentAsked(await signedInClient(service, email, `${PASSWORD} two`));
    assert.match(again?.text ?? '', /Allow Map Maker to sign you in\?/);
  });
});
