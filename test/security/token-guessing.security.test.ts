import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateToken } from '../../src/crypto/tokens.ts';
import { cryptoRandom } from '../../src/kernel/random.ts';
import { followLinkAndPress, registerUnconfirmed } from '../support/accounts.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';
import { apiClient, registerUser, requestResetToken, signedInClient } from '../support/flows.ts';

const EMAIL = 'ada@example.com';

describe('guessing reset tokens is limited per client IP (S4, S19)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService(); // default: 20 failed lookups per IP per 15 minutes; TRUST_PROXY unset
    await registerUser(service, EMAIL, 'correct horse battery');
  });
  after(() => service.close());

  it("refuses further guesses with 429 and the limiter's own Retry-After once 20 failed, whatever X-Forwarded-For says", async () => {
    assert.deepEqual(service.config.rateLimits.tokenPerIp, { points: 20, durationSeconds: 900 });
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

    // The wait is what the limiter says (the 15-minute window started moments ago), not a fixed minute.
    const page = await new TestClient(service.url, { 'x-forwarded-for': '203.0.113.99' }).get(
      `/reset-password/${generateToken(cryptoRandom)}`,
    );
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get('retry-after')) > 800, `Retry-After ${page.headers.get('retry-after')}`);
    assert.match(page.text, /Too many attempts/);
    const api = await apiClient(service).postJson('/api/password/reset', {
      token: generateToken(cryptoRandom),
      password: 'a brand new passphrase',
    });
    assert.equal(api.status, 429);
    assert.equal(api.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(api.headers.get('retry-after')) > 800, `Retry-After ${api.headers.get('retry-after')}`);
    const confirmApi = await apiClient(service).postJson('/api/confirm', { token: generateToken(cryptoRandom) });
    assert.equal(confirmApi.status, 429);
    assert.ok(Number(confirmApi.headers.get('retry-after')) > 800, `Retry-After ${confirmApi.headers.get('retry-after')}`);
    const landing = await new TestClient(service.url).get(`/confirm-email/${generateToken(cryptoRandom)}`);
    assert.equal(landing.status, 429);
    assert.ok(Number(landing.headers.get('retry-after')) > 800, `Retry-After ${landing.headers.get('retry-after')}`);
  });
});

describe('failed guesses never block a valid link from the same address (people behind one NAT)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ RATE_LIMIT_TOKEN_IP: '3/900' }); // TRUST_PROXY unset: every client here is one IP
    await registerUser(service, EMAIL, 'correct horse battery');
  });
  after(() => service.close());

  it("a neighbour's guesses spend the limit, yet a real reset link and a real confirmation link from that IP work", async () => {
    const confirmToken = await registerUnconfirmed(service, 'bob@example.com', 'correct horse battery');
    const resetToken = await requestResetToken(service, EMAIL);
    const neighbour = new TestClient(service.url);
    for (let i = 0; i < 3; i++) assert.equal((await neighbour.get(`/reset-password/${generateToken(cryptoRandom)}`)).status, 400);
    assert.equal((await neighbour.get(`/reset-password/${generateToken(cryptoRandom)}`)).status, 429, 'the IP is over its limit');

    const browser = new TestClient(service.url);
    const opened = await browser.get(`/reset-password/${resetToken}`);
    assert.equal(opened.status, 303, 'the link verifies, so it is served');
    const form = await browser.get('/reset-password');
    assert.equal(form.status, 200);
    const reset = await browser.postForm('/reset-password', {
      _csrf: form.csrfToken(),
      password: 'a brand new passphrase',
      password_confirm: 'a brand new passphrase',
    });
    assert.equal(reset.status, 303);
    assert.equal(reset.location, '/login?notice=password-reset');
    await signedInClient(service, EMAIL, 'a brand new passphrase'); // throws unless the new password signs in

    const { pressed } = await followLinkAndPress(new TestClient(service.url), `${service.url}/confirm-email/${confirmToken}`);
    assert.equal(pressed.status, 303);
    assert.equal(pressed.location, '/login?notice=email-confirmed');

    // The used link now fails, and failing still counts: the neighbour is still refused.
    assert.equal((await neighbour.get(`/reset-password/${resetToken}`)).status, 429);
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
