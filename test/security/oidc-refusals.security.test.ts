import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { ManualClock } from '../../src/kernel/clock.ts';
import type { TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, signedInClient } from '../support/flows.ts';
import {
  callbackServer,
  followAuthorization,
  type OidcPortsForTest,
  oauthError,
  registerClient,
  relyingParty,
  startAuthorization,
  startOidcService,
} from '../support/oidc.ts';

const PASSWORD = 'correct horse battery';

describe('OpenID Connect refusals (S26)', () => {
  let service: TestService;
  let ports: OidcPortsForTest;
  let clock: ManualClock;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let app: { clientId: string; clientSecret?: string | undefined };
  let config: oidc.Configuration;
  let userCount = 0;

  before(async () => {
    ({ service, ports, clock } = await startOidcService());
    callback = await callbackServer();
    app = await registerClient(ports, { redirectUris: [callback.url] });
    config = await relyingParty(service, app);
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  /** A new user, signed in, through one authorization: the callback URL with the code. */
  async function authorized(extra: Record<string, string> = { prompt: 'consent' }) {
    const email = `user${++userCount}@example.com`;
    await registerUser(service, email, PASSWORD);
    const browser = await signedInClient(service, email, PASSWORD);
    const request = await startAuthorization(config, callback.url, extra);
    const outcome = await followAuthorization(browser, request.url);
    assert.ok(outcome.left, `stopped on ${outcome.stopped?.status}`);
    return { email, browser, ...request, callbackUrl: outcome.left };
  }

  async function tokensFor(extra?: Record<string, string>) {
    const flow = await authorized(extra);
    const tokens = await oidc.authorizationCodeGrant(config, flow.callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
    });
    return { ...flow, tokens };
  }

  it('never redirects to an unregistered redirect_uri', async () => {
    for (const uri of [
      'http://evil.example/callback',
      `${callback.url}/extra`,
      `${callback.url}?x=1`,
      callback.url.replace('127.0.0.1', 'localhost'),
    ]) {
      const { url } = await startAuthorization(config, uri);
      const response = await new TestClient(service.url).get(url.pathname + url.search);
      assert.equal(response.status, 400, uri);
      assert.equal(response.location, null, uri);
      assert.match(response.text, /redirect_uri/);
      // oidc-provider's own answers carry Latchkey's security headers (S25).
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  it('a code works once; its second use is refused and revokes what the first issued', async () => {
    const flow = await authorized();
    const tokens = await oidc.authorizationCodeGrant(config, flow.callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
    });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, flow.callbackUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state }),
      oauthError('invalid_grant'),
    );
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token as string), oauthError('invalid_grant'));
  });

  it('refuses a wrong PKCE verifier', async () => {
    const flow = await authorized();
    await assert.rejects(
      oidc.authorizationCodeGrant(config, flow.callbackUrl, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: flow.state }),
      oauthError('invalid_grant'),
    );
  });

  it('refuses a wrong client secret (the registry compares digests)', async () => {
    const flow = await authorized();
    const wrong = await relyingParty(service, { clientId: app.clientId, clientSecret: `${app.clientSecret}x` });
    await assert.rejects(
      oidc.authorizationCodeGrant(wrong, flow.callbackUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state }),
      oauthError('invalid_client'),
    );
  });

  it('refuses an expired code', async () => {
    const flow = await authorized();
    clock.advanceSeconds(61);
    await assert.rejects(
      oidc.authorizationCodeGrant(config, flow.callbackUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state }),
      oauthError('invalid_grant'),
    );
  });

  it('a public client must use PKCE', async () => {
    const spa = await registerClient(ports, { redirectUris: [callback.url], isPublic: true });
    const spaConfig = await relyingParty(service, spa);
    await registerUser(service, 'pkce@example.com', PASSWORD);
    const browser = await signedInClient(service, 'pkce@example.com', PASSWORD);
    const url = oidc.buildAuthorizationUrl(spaConfig, { redirect_uri: callback.url, scope: 'openid', state: 's' });
    const outcome = await followAuthorization(browser, url);
    assert.equal(outcome.left?.searchParams.get('error'), 'invalid_request');
    assert.equal(outcome.left?.searchParams.get('code'), null);
  });

  it("a disabled user's tokens stop working, and a disabled user gets no new code", async () => {
    const flow = await tokensFor();
    const user = await service.deps.store.users.findByCanonicalEmail(flow.email);
    // Disabled directly in the database: nothing else ended, findAccount alone refuses.
    await service.deps.store.users.setDisabled(user?.id as string, true, clock.nowMs());
    await assert.rejects(oidc.refreshTokenGrant(config, flow.tokens.refresh_token as string), oauthError('invalid_grant'));
    await assert.rejects(oidc.fetchUserInfo(config, flow.tokens.access_token, user?.id as string));
    const again = await followAuthorization(flow.browser, (await startAuthorization(config, callback.url)).url);
    assert.equal(again.left, undefined, 'no code for a disabled user');
    assert.equal(again.at?.pathname, '/login');
  });

  it('a password reset ends the apps too: the refresh token is refused', async () => {
    const flow = await tokensFor();
    const token = await requestResetToken(service, flow.email);
    const reset = await apiClient(service).postJson('/api/password/reset', { token, password: 'another good passphrase' });
    assert.equal(reset.status, 200);
    await assert.rejects(oidc.refreshTokenGrant(config, flow.tokens.refresh_token as string), oauthError('invalid_grant'));
  });

  it('a password change ends the apps too', async () => {
    const flow = await tokensFor();
    const changed = await flow.browser.postJson('/api/password/change', {
      current_password: PASSWORD,
      new_password: 'another good passphrase',
    });
    assert.equal(changed.status, 200, changed.text);
    await assert.rejects(oidc.refreshTokenGrant(config, flow.tokens.refresh_token as string), oauthError('invalid_grant'));
  });

  it('"sign out everywhere" and `users revoke-sessions` end the refresh tokens', async () => {
    const first = await tokensFor();
    const others = await first.browser.postJson('/api/sessions/revoke-others', {});
    assert.ok(others.status < 300, others.text);
    await assert.rejects(oidc.refreshTokenGrant(config, first.tokens.refresh_token as string), oauthError('invalid_grant'));
    const second = await tokensFor();
    assert.equal((await service.deps.admin.revokeSessions(second.email)).ok, true);
    await assert.rejects(oidc.refreshTokenGrant(config, second.tokens.refresh_token as string), oauthError('invalid_grant'));
  });

  it('after signing out of Latchkey, an authorization asks to sign in again (no silent SSO)', async () => {
    const flow = await tokensFor();
    const oidcSession = flow.browser.cookies.get('_session') as string;
    const sessions = ports.storage.adapter('Session');
    assert.ok(await sessions.find(oidcSession), 'the browser has an OIDC session');
    const out = await flow.browser.postJson('/api/logout', {});
    assert.equal(out.status, 204);
    assert.equal(await sessions.find(oidcSession), undefined, 'logout ended the OIDC session');
    const again = await followAuthorization(flow.browser, (await startAuthorization(config, callback.url)).url);
    assert.equal(again.left, undefined);
    assert.equal(again.at?.pathname, '/login');
    assert.match(again.at?.searchParams.get('next') ?? '', /^\/oidc\/interaction\/[\w-]+$/);
  });

  it('prompt=login sends a signed-in browser to the login page; a fresh sign-in then finishes it', async () => {
    const flow = await authorized({});
    const request = await startAuthorization(config, callback.url, { prompt: 'login' });
    const stopped = await followAuthorization(flow.browser, request.url);
    assert.equal(stopped.at?.pathname, '/login');
    const login = `${stopped.at?.pathname}${stopped.at?.search}`;
    // Coming back without signing in again does not finish it.
    const next = stopped.at?.searchParams.get('next') as string;
    assert.equal((await followAuthorization(flow.browser, service.at(next))).at?.pathname, '/login');
    const page = await flow.browser.get(login);
    const signedIn = await flow.browser.postForm(login, { _csrf: page.csrfToken(), email: flow.email, password: PASSWORD });
    assert.equal(signedIn.status, 303);
    const done = await followAuthorization(flow.browser, service.at(signedIn.location as string));
    assert.ok(done.left?.searchParams.get('code'), 'the fresh sign-in finished the authorization');
  });

  it('max_age: a sign-in older than max_age seconds sends the browser to the login page', async () => {
    const flow = await authorized({});
    clock.advanceSeconds(10);
    const request = await startAuthorization(config, callback.url, { max_age: '5' });
    const outcome = await followAuthorization(flow.browser, request.url);
    assert.equal(outcome.at?.pathname, '/login');
    const recent = await startAuthorization(config, callback.url, { max_age: '3600' });
    assert.ok((await followAuthorization(flow.browser, recent.url)).left?.searchParams.get('code'));
  });
});
