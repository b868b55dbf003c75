import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { ManualClock } from '../../src/kernel/clock.ts';
import { createLogger } from '../../src/logger.ts';
import type { TestService } from '../support/app.ts';
import { registerUser, signedInClient } from '../support/flows.ts';
import { callbackServer, followAuthorization, relyingParty, startAuthorization, startOidcService } from '../support/oidc.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

describe('the OpenID Connect flow leaves no code, token or secret in the logs (S23)', () => {
  let service: TestService;
  let callback: Awaited<ReturnType<typeof callbackServer>>;
  const lines: string[] = [];

  before(async () => {
    ({ service } = await startOidcService({}, new ManualClock(Date.now()), {
      logger: () => createLogger('trace', { write: (line: string) => void lines.push(line) }),
    }));
    callback = await callbackServer();
  });
  after(async () => {
    await callback?.close();
    await service?.close();
  });

  it('runs the code flow, a refresh and a refused secret with trace logging on', async () => {
    const app = await service.deps.oidc.clients.add(
      { name: 'Notes', redirectUris: [callback.url], postLogoutRedirectUris: [], isPublic: false, skipConsent: true },
      Date.now(),
    );
    assert.ok(app.ok);
    const client = { clientId: app.client.clientId, clientSecret: app.clientSecret };
    await registerUser(service, EMAIL, PASSWORD);
    const config = await relyingParty(service, client);
    const browser = await signedInClient(service, EMAIL, PASSWORD);
    const request = await startAuthorization(config, callback.url, { prompt: 'consent' });
    const outcome = await followAuthorization(browser, request.url);
    const code = outcome.left?.searchParams.get('code') as string;
    const tokens = await oidc.authorizationCodeGrant(config, outcome.left as URL, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
    });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    const wrong = await relyingParty(service, { clientId: client.clientId, clientSecret: 'not-the-secret-0123456789' });
    await assert.rejects(oidc.refreshTokenGrant(wrong, refreshed.refresh_token as string));

    const secrets = [
      code,
      request.verifier,
      client.clientSecret as string,
      'not-the-secret-0123456789',
      tokens.access_token,
      tokens.refresh_token as string,
      tokens.id_token as string,
      refreshed.access_token,
      refreshed.refresh_token as string,
      browser.cookies.get('_session') as string,
      PASSWORD,
    ];
    assert.ok(lines.length > 10, 'trace logging captured the requests');
    const log = lines.join('\n');
    for (const secret of secrets) assert.ok(secret && !log.includes(secret), `a log line holds ${secret.slice(0, 6)}…`);
  });
});
