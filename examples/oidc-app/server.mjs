// A tiny web application that signs its users in through Latchkey with OpenID Connect:
// node:http and openid-client, nothing else. Run it with
//   ISSUER=http://localhost:3000 CLIENT_ID=... CLIENT_SECRET=... node examples/oidc-app/server.mjs
// after `latchkey clients add --name "Example app" --redirect-uri http://localhost:4000/callback
//   --post-logout-redirect-uri http://localhost:4000/ --skip-consent`.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import * as oidc from 'openid-client';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`Set ${name}`);
  return value;
};
const issuer = new URL(env('ISSUER', 'http://localhost:3000'));
const port = Number(env('PORT', '4000'));
const appUrl = env('APP_URL', `http://localhost:${port}`);
const appName = env('APP_NAME', 'Example app');
const clientSecret = process.env.CLIENT_SECRET;
// Cookies are not kept apart by port: name them after the app, so two apps on one host don't clash.
const SESSION = `app${port}_session`;
const PENDING = `app${port}_pending`;

// Confidential clients authenticate with HTTP Basic (Latchkey registers client_secret_basic);
// public clients (no secret) use PKCE alone. Plain http is only for a local Latchkey.
const config = await oidc.discovery(
  issuer,
  env('CLIENT_ID'),
  undefined,
  clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
  issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
);

/** Signed-in users and pending sign-ins, by a random cookie value (a real app uses its session store). */
const sessions = new Map();
const pending = new Map();
const cookieOf = (request, name) =>
  (request.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === name)?.[1];
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(response, body) {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(appName)}</title></head><body><h1>${escapeHtml(appName)}</h1>${body}</body></html>`,
  );
}

function redirect(response, location, cookie) {
  response.writeHead(303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) });
  response.end();
}

const server = createServer(async (request, response) => {
  try {
    const url = new URL(request.url ?? '/', appUrl);
    const session = sessions.get(cookieOf(request, SESSION));
    if (url.pathname === '/') {
      return page(
        response,
        session
          ? `<p>Signed in as <strong id="who">${escapeHtml(session.claims.email)}</strong> (${escapeHtml(session.claims.sub)}).</p><p><a href="/logout">Sign out</a></p>`
          : '<p>You are not signed in.</p><p><a href="/login">Sign in with Latchkey</a></p>',
      );
    }
    if (url.pathname === '/login') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const id = randomBytes(16).toString('base64url');
      pending.set(id, { verifier, state });
      const authorizationUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${appUrl}/callback`,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      return redirect(response, authorizationUrl.href, `${PENDING}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`);
    }
    if (url.pathname === '/callback') {
      const id = cookieOf(request, PENDING);
      const flow = pending.get(id);
      pending.delete(id);
      if (!flow) return page(response, '<p>This sign-in was not started here. <a href="/login">Try again</a>.</p>');
      if (url.searchParams.has('error')) return page(response, `<p>Sign-in refused: ${escapeHtml(url.searchParams.get('error'))}.</p>`);
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
      const claims = tokens.claims();
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      const sessionId = randomBytes(16).toString('base64url');
      sessions.set(sessionId, { claims: { ...claims, ...info }, idToken: tokens.id_token });
      return redirect(response, '/', `${SESSION}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
    }
    if (url.pathname === '/logout') {
      const id = cookieOf(request, SESSION);
      sessions.delete(id);
      const endSession = oidc.buildEndSessionUrl(config, {
        post_logout_redirect_uri: `${appUrl}/`,
        ...(session ? { id_token_hint: session.idToken } : {}),
      });
      return redirect(response, endSession.href, `${SESSION}=; Path=/; Max-Age=0`);
    }
    response.writeHead(404).end('not found');
  } catch (error) {
    console.error(error);
    response.writeHead(500, { 'content-type': 'text/plain' }).end('sign-in failed');
  }
});

server.listen(port, '127.0.0.1', () => console.log(`${appName} listening on ${appUrl}`));
