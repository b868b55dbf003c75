import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import * as oidc from 'openid-client';
import type { OidcPorts } from '../../src/deps/oidc.ts';
import type { NewClient } from '../../src/flows/oidc/ports.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import type { TestService, TestServiceOptions } from './app.ts';
import type { TestClient } from './client.ts';
import { startServiceAtOwnOrigin } from './public-service.ts';

export type OidcPortsForTest = OidcPorts;

/**
 * Latchkey at its own origin (the OIDC issuer) with a clock tests move, starting at real time
 * (oidc-provider itself reads the system clock). Its OIDC ports are the database ones.
 */
export async function startOidcService(
  env: Record<string, string> = {},
  clock = new ManualClock(Date.now()),
  options: TestServiceOptions & { path?: string } = {},
) {
  const service = await startServiceAtOwnOrigin({ CONFIRM_EMAIL: 'optional', ...env }, { clock }, options);
  return { service, ports: service.deps.oidc as OidcPorts, clock };
}

/** A loopback HTTP server standing in for the application's callback: records every URL it is sent to. */
export async function callbackServer(): Promise<{ url: string; hits: URL[]; close(): Promise<void> }> {
  const hits: URL[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(new URL(request.url ?? '/', 'http://127.0.0.1'));
    response.writeHead(200, { 'content-type': 'text/plain' }).end('callback reached');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/callback`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function registerClient(ports: OidcPortsForTest, client: Partial<NewClient> & { redirectUris: string[] }) {
  const added = await ports.clients.add(
    { name: 'Test App', postLogoutRedirectUris: [], isPublic: false, skipConsent: true, ...client },
    Date.now(),
  );
  if (!added.ok) throw new Error(added.detail);
  return { clientId: added.client.clientId, clientSecret: added.clientSecret };
}

/** openid-client's view of Latchkey for one client (http allowed: loopback test servers). */
export async function relyingParty(service: TestService, client: { clientId: string; clientSecret?: string | undefined }) {
  const auth = client.clientSecret ? oidc.ClientSecretBasic(client.clientSecret) : oidc.None();
  return oidc.discovery(new URL(service.config.publicUrl.origin), client.clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** An authorization request with PKCE S256 and state; returns the URL and what the callback needs. */
export async function startAuthorization(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  return { url, verifier, state };
}

/**
 * Follows an authorization request like a browser that is already signed in to Latchkey (SSO):
 * the redirects and the continue page, until a redirect leaves Latchkey. Returns that URL, or the
 * last response when it stops on a Latchkey page.
 */
export async function followAuthorization(client: TestClient, url: URL | string) {
  let next = new URL(url);
  const origin = next.origin;
  for (let hop = 0; hop < 10; hop++) {
    if (next.origin !== origin) return { left: next };
    const response = await client.get(next.pathname + next.search);
    const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(response.text)?.[1];
    const target = response.status === 303 || response.status === 302 ? response.location : refresh?.replaceAll('&amp;', '&');
    if (!target) return { stopped: response, at: next };
    next = new URL(target, next);
  }
  throw new Error('too many redirects');
}

/** Checks a JWT's ES256/RS256 signature against the issuer's published JWKS; returns its payload. */
export async function verifyJwtWithJwks(jwt: string, jwksUrl: string): Promise<Record<string, unknown>> {
  const [head = '', body = '', signature = ''] = jwt.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { kid: string; alg: string };
  const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: Array<{ kid: string }> };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in the JWKS`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) throw new Error('signature does not verify');
  return JSON.parse(Buffer.from(body, 'base64url').toString());
}

/** For assert.rejects: an OAuth error response with this `error` code (openid-client's ResponseBodyError). */
export function oauthError(code: string) {
  return (error: unknown) => {
    const e = error as { error?: string; cause?: Array<{ parameters?: { error?: string } }> };
    // A 401 comes as a WWW-Authenticate challenge whose parameters carry the code.
    assert.equal(e.error ?? e.cause?.[0]?.parameters?.error, code, String(error));
    return true;
  };
}
