import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateToken } from '../../src/crypto/tokens.ts';
import { cryptoRandom } from '../../src/kernel/random.ts';
import { startTestService, type TestService } from '../support/app.ts';
import { TestClient } from '../support/client.ts';

/** A client seen at `ip` (through the trusted proxy on loopback), as a browser on PUBLIC_URL. */
const from = (service: TestService, ip: string) =>
  new TestClient(service.url, { 'x-forwarded-for': ip, origin: service.config.publicUrl.origin });

/**
 * Audit finding 13: an IPv6 client owns a whole subnet, so per-IP limits count it by its /64
 * (IPV6_SUBNET_PREFIX), and an IPv4-mapped address as the IPv4 address it is. Shown on two
 * limits made in the same place: sign-in per IP and wrong link tokens per IP.
 */
describe('per-IP limits count an IPv6 client by its subnet', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ TRUST_PROXY: 'loopback', RATE_LIMIT_LOGIN_IP: '3/900', RATE_LIMIT_TOKEN_IP: '3/900' });
  });
  after(() => service.close());

  const login = (ip: string) => from(service, ip).postJson('/api/login', { email: 'nobody@example.com', password: 'wrong password' });
  const guessToken = (ip: string) => from(service, ip).get(`/reset-password/${generateToken(cryptoRandom)}`);

  it('sign-in: three addresses of one /64 spend one budget; the next /64 has its own', async () => {
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3']) assert.equal((await login(ip)).status, 401, ip);
    const limited = await login('2001:db8:1:2:abcd::4');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal((await login('2001:db8:1:3::1')).status, 401, 'another subnet is another client');
  });

  it('wrong link tokens: the same, and an IPv4-mapped address is its IPv4 address', async () => {
    for (const ip of ['2001:db8:9:9::a', '2001:db8:9:9::b', '2001:db8:9:9::c']) assert.equal((await guessToken(ip)).status, 400, ip);
    assert.equal((await guessToken('2001:db8:9:9::d')).status, 429);
    for (const ip of ['::ffff:198.51.100.7', '198.51.100.7', '::ffff:c633:6407']) assert.equal((await guessToken(ip)).status, 400, ip);
    assert.equal((await guessToken('198.51.100.7')).status, 429);
    assert.equal((await guessToken('198.51.100.8')).status, 400, 'another IPv4 address is another client');
  });
});

describe('IPV6_SUBNET_PREFIX sets how much of an IPv6 address names one client', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ TRUST_PROXY: 'loopback', RATE_LIMIT_LOGIN_IP: '1/900', IPV6_SUBNET_PREFIX: '128' });
  });
  after(() => service.close());

  it('at 128 every address is its own client', async () => {
    for (const ip of ['2001:db8::1', '2001:db8::2']) {
      const response = await from(service, ip).postJson('/api/login', { email: 'nobody@example.com', password: 'wrong password' });
      assert.equal(response.status, 401, ip);
    }
  });
});
