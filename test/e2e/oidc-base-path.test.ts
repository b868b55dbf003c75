import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { TestService } from '../support/app.ts';
import {
  callbackServer,
  type OidcPortsForTest,
  registerClient,
  startAuthorization,
  startOidcService,
  verifyJwtWithJwks,
} from '../support/oidc.ts';
import { formAction, PathCookieClient } from '../support/path-cookie-client.ts';

const BASE = '/auth';
const EMAIL = 'lin@example.com';
const PASSWORD = 'correct horse battery';

/**
 * PUBLIC_URL=http://127.0.0.1:<port>/auth: the issuer, every endpoint, the sign-in step and the
 * cookies live under the path, and a code flow driven like a browser (cookies sent only to their
 * Path) ends at the application with an ID token that verifies.
 */
describe('OpenID Connect with Latchkey under a path', () => {
  let service: TestService;
  let ports: OidcPortsForTest;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  let issuer: string;

  before(async () => {
    ({ service, ports } = await startOidcService({}, undefined, { path: BASE }));
    issuer = `${service.config.publicUrl.origin}${BASE}`;
    callback = await callbackServer();
    const registered = await fetch(`${issuer}/api/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD, name: 'Lin' }),
    });
    assert.equal(registered.status, 202, await registered.text());
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  it('publishes the issuer and every endpoint under the path', async () => {
    const outside = await fetch(`${service.config.publicUrl.origin}/.well-known/openid-configuration`);
    assert.equal(outside.status, 404);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(discovery.issuer, issuer);
    for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      assert.ok(String(discovery[name]).startsWith(`${issuer}/oidc/`), `${name} = ${discovery[name]}`);
    }
  });

  it('runs the code flow through the login page and the cookies of the path', async () => {
    const app = await registerClient(ports, { redirectUris: [callback.url] });
    const config = await oidc.discovery(new URL(issuer), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret as string), {
      execute: [oidc.allowInsecureRequests],
    });
    const request = await startAuthorization(config, callback.url);
    const browser = new PathCookieClient(service.config.publicUrl.origin);

    // Signed out: the authorization request leads to Latchkey's login page, under the path.
    let response = await browser.get(request.url.href);
    let hops = 0;
    while ((response.status === 302 || response.status === 303) && !response.location?.includes('/login')) {
      assert.ok(++hops < 10, 'too many redirects');
      const location = new URL(response.location as string, service.config.publicUrl.origin);
      assert.ok(location.pathname.startsWith(`${BASE}/`), `redirect outside the path: ${location.href}`);
      response = await browser.get(location.href);
    }
    const loginTarget = new URL(response.location as string, service.config.publicUrl.origin);
    assert.equal(loginTarget.pathname, `${BASE}/login`);
    const loginPage = await browser.get(loginTarget.href);
    const signedIn = await browser.postForm(formAction(loginPage.text, '/login'), {
      _csrf: loginPage.csrfToken(),
      email: EMAIL,
      password: PASSWORD,
    });
    assert.equal(signedIn.status, 303, signedIn.text.slice(0, 300));

    // Back to the interaction, then on to the application's callback.
    let next = new URL(signedIn.location as string, service.config.publicUrl.origin);
    for (hops = 0; next.origin === service.config.publicUrl.origin; hops++) {
      assert.ok(hops < 10, 'too many redirects');
      assert.ok(next.pathname.startsWith(`${BASE}/`), `redirect outside the path: ${next.href}`);
      const hop = await browser.get(next.href);
      // The sign-in step answers with a page that moves on by itself (a meta refresh, no script).
      const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(hop.text)?.[1]?.replaceAll('&amp;', '&');
      const target = hop.status === 302 || hop.status === 303 ? hop.location : refresh;
      assert.ok(target, `stopped at ${next.pathname}: ${hop.status} ${hop.text.slice(0, 200)}`);
      next = new URL(target, next);
    }
    assert.equal(`${next.origin}${next.pathname}`, callback.url);
    for (const line of browser.setCookies) {
      const path = /;\s*path=([^;]+)/i.exec(line)?.[1];
      assert.ok(path === BASE || path?.startsWith(`${BASE}/`), `cookie outside the path: ${line}`);
    }

    const tokens = await oidc.authorizationCodeGrant(config, next, { pkceCodeVerifier: request.verifier, expectedState: request.state });
    const claims = await verifyJwtWithJwks(tokens.id_token as string, `${issuer}/oidc/jwks`);
    assert.equal(claims.iss, issuer);
    const user = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub as string);
    assert.equal(user.email, EMAIL);
  });
});
