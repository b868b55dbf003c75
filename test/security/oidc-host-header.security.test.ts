import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/app.ts';
import { rawRequest } from '../support/http.ts';

const PUBLIC_URL = 'https://id.example.test';
const EVIL = 'evil.example';

/**
 * oidc-provider builds the URLs it publishes from the request: Latchkey pins the request's host
 * and protocol to PUBLIC_URL before handing it over, so no header a client sends reaches the
 * discovery document or a redirect (S9), even with TRUST_PROXY set.
 */
describe('OpenID Connect URLs come from PUBLIC_URL only (S9)', () => {
  for (const trustProxy of [undefined, 'loopback']) {
    describe(trustProxy ? `TRUST_PROXY=${trustProxy}` : 'no TRUST_PROXY', () => {
      let service: TestService;
      before(async () => {
        service = await startTestService({ PUBLIC_URL, ...(trustProxy ? { TRUST_PROXY: trustProxy } : {}) });
      });
      after(() => service.close());

      const attacks: Array<{ name: string; headers: Record<string, string> }> = [
        { name: 'Host', headers: { host: EVIL } },
        { name: 'X-Forwarded-Host and -Proto', headers: { 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'http' } },
        { name: 'Forwarded', headers: { forwarded: `for=192.0.2.1;host=${EVIL};proto=http` } },
        {
          name: 'everything at once',
          headers: { host: EVIL, 'x-forwarded-host': EVIL, 'x-forwarded-proto': 'http', forwarded: `host=${EVIL}` },
        },
      ];
      for (const attack of attacks) {
        it(`${attack.name} never reaches the discovery document`, async () => {
          const response = await rawRequest(service.url, {
            method: 'GET',
            target: '/.well-known/openid-configuration',
            headers: attack.headers,
          });
          assert.equal(response.status, 200, response.text);
          assert.doesNotMatch(response.text, /evil\.example|http:\/\//);
          const discovery = JSON.parse(response.text) as Record<string, unknown>;
          assert.equal(discovery.issuer, PUBLIC_URL);
          for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
            assert.ok(String(discovery[name]).startsWith(`${PUBLIC_URL}/oidc/`), `${name} = ${discovery[name]}`);
          }
        });
      }
    });
  }
});
