import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateToken } from '../../src/crypto/tokens.ts';
import { cryptoRandom } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken } from '../support/flows.ts';

const EMAIL = 'ada@example.com';

describe('guessing reset tokens is limited per client IP (S4, S19)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService(); // default: 20 failed lookups per IP per 15 minutes; TRUST_PROXY unset
    await registerUser(service, EMAIL, 'correct horse battery');
  });
  after(() => service.close());

  it('refuses further lookups with 429 and Retry-After once 20 guesses failed, even for a valid token, whatever X-Forwarded-For says', async () => {
    assert.deepEqual(service.config.rateLimits.tokenPerIp, { points: 20, durationSeconds: 900 });
    const token = await requestResetToken(service, EMAIL);
    for (let i = 0; i < 20; i++) {
      // Half by the link, half by the API; a spoofed forwarding header must not make a new client.
      const headers = { 'x-forwarded-for': `198.51.100.${i}`, forwarded: `for=198.51.100.${i}` };
      const guess = generateToken(cryptoRandom);
      const response =
        i % 2 === 0
          ? await new TestClient(service.url, headers).get(`/reset-password/${guess}`)
          : await apiClient(service, headers).postJson('/api/password/reset', { token: guess, password: 'a brand new passphrase' });
      assert.equal(response.status, 400, `guess ${i}`);
      assert.match(response.text, /TOKEN_INVALID|This link is not valid/);
    }

    const page = await new TestClient(service.url, { 'x-forwarded-for': '203.0.113.99' }).get(`/reset-password/${token}`);
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.match(page.text, /Too many attempts/);
    const api = await apiClient(service).postJson('/api/password/reset', { token, password: 'a brand new passphrase' });
    assert.equal(api.status, 429);
    assert.equal(api.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(api.headers.get('retry-after')) > 0);

    const row = await service.deps.store.db
      .selectFrom('tokens')
      .select(['used_at', 'revoked_at'])
      .where('purpose', '=', 'password-reset')
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { used_at: null, revoked_at: null }, 'the real token was not touched');
  });
});

describe('behind a trusted proxy the limit follows the forwarded client address', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ TRUST_PROXY: 'loopback', RATE_LIMIT_TOKEN_IP: '3/900' });
  });
  after(() => service.close());

  it('limits one forwarded client without limiting another', async () => {
    const attacker = new TestClient(service.url, { 'x-forwarded-for': '198.51.100.7' });
    for (let i = 0; i < 3; i++) assert.equal((await attacker.get(`/reset-password/${generateToken(cryptoRandom)}`)).status, 400);
    assert.equal((await attacker.get(`/reset-password/${generateToken(cryptoRandom)}`)).status, 429);
    const other = new TestClient(service.url, { 'x-forwarded-for': '203.0.113.8' });
    assert.equal((await other.get(`/reset-password/${generateToken(cryptoRandom)}`)).status, 400, 'another client is still served');
  });
});
