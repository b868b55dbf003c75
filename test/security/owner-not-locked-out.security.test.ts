import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Keyring } from '../../src/crypto/keyring.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { DeviceCookies } from '../../src/flows/login/device-cookies.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { cryptoRandom, newId } from '../../src/kernel/random.ts';
import { startTestService, TEST_SECRET, type TestService } from '../support/app.ts';
import { TestClient, type TestResponse } from '../support/client.ts';
import { insertUser } from '../support/database.ts';
import { apiClient, registerUser, requestResetToken } from '../support/flows.ts';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
const DEVICE = 'lk_device';

/** A client seen at `ip` through the trusted proxy on loopback, as a browser on PUBLIC_URL. */
const from = (service: TestService, ip: string) =>
  new TestClient(service.url, { 'x-forwarded-for': ip, origin: service.config.publicUrl.origin });

/** The i-th of many attacker addresses: every one its own client for the per-IP limit. */
const attackerIp = (i: number) => `198.18.${(i >> 8) & 255}.${i & 255}`;

/**
 * `count` wrong passwords for EMAIL from as many addresses, 50 at a time, spread over `nodes`.
 * Returns how many were verified (401) and the answers that were refused (429).
 */
async function attack(nodes: TestService[], count: number, firstIp = 0): Promise<{ verified: number; refused: TestResponse[] }> {
  const refused: TestResponse[] = [];
  let verified = 0;
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, j) => start + j);
    const responses = await Promise.all(
      batch.map((i) =>
        from(nodes[i % nodes.length] as TestService, attackerIp(firstIp + i)).postJson('/api/login', {
          email: EMAIL,
          password: `guess number ${firstIp + i}`,
        }),
      ),
    );
    for (const response of responses) {
      if (response.status === 401) verified++;
      else if (response.status === 429) refused.push(response);
      else assert.fail(`unexpected ${response.status}: ${response.text}`);
    }
  }
  return { verified, refused };
}

/** A browser of the owner: signed in once (API or page), then signed out; it keeps its device cookie. */
async function knownBrowser(service: TestService, via: 'api' | 'page', email = EMAIL, password = PASSWORD): Promise<TestClient> {
  const browser = apiClient(service);
  if (via === 'api') {
    assert.equal((await browser.postJson('/api/login', { email, password })).status, 200);
  } else {
    assert.equal((await browser.submitForm('/login', '/login', { email, password })).status, 303);
  }
  assert.ok(browser.cookies.get(DEVICE), 'a device cookie after a password sign-in');
  assert.equal((await browser.request('POST', '/api/logout')).status, 204);
  assert.ok(browser.cookies.get(DEVICE), 'signing out keeps the device cookie');
  return browser;
}

/** A client presenting only this device cookie value. */
const withDeviceCookie = (service: TestService, value: string) => apiClient(service, { cookie: `${DEVICE}=${value}` });

/**
 * S29 (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): an attacker's failures,
 * however many and from however many addresses, never lock the owner's known browser out; it is
 * judged by its own failures. Clients the account has not seen share the per-account limit and
 * slow-down as before. Runs on SQLite and on TEST_DATABASE=postgres|mysql.
 */
describe('the sign-in throttle cannot lock the owner out (S29)', () => {
  // A clock that stands still: no wait of the slow-down ends by itself during the test.
  const clock = new ManualClock(Date.now());
  let service: TestService;
  let home: TestClient;
  let laptop: TestClient;
  let phone: TestClient;
  let bobsBrowser: TestClient;
  let untrustedRefusal: TestResponse;
  let expiring: TestClient;

  before(async () => {
    service = await startTestService({ TRUST_PROXY: 'loopback' }, { clock });
    assert.deepEqual(service.config.rateLimits.loginPerAccount, { points: 10, durationSeconds: 900 });
    assert.deepEqual(service.config.rateLimits.loginPerDevice, { points: 10, durationSeconds: 900 });
    await registerUser(service, EMAIL, PASSWORD);
    await registerUser(service, 'bob@example.com', PASSWORD);
    home = await knownBrowser(service, 'api');
    laptop = await knownBrowser(service, 'page');
    phone = await knownBrowser(service, 'api');
    bobsBrowser = await knownBrowser(service, 'api', 'bob@example.com');
  });
  after(() => service.close());

  it("after an attacker's 1,000 failures from 1,000 addresses the owner's known browsers sign in at once", async () => {
    const { verified, refused } = await attack([service], 1000);
    assert.equal(verified, 10, 'untrusted clients together get RATE_LIMIT_LOGIN_ACCOUNT verifications');
    assert.equal(refused.length, 990);
    untrustedRefusal = refused[0] as TestResponse;
    assert.equal(untrustedRefusal.json().error.code, 'RATE_LIMITED');

    const before = home.cookies.get(DEVICE);
    const api = await home.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(api.status, 200, api.text);
    assert.notEqual(home.cookies.get(DEVICE), before, 'every sign-in refreshes the device cookie');
    const page = await laptop.submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    assert.equal(page.status, 303, 'the login page too');
    assert.equal(page.location, '/');
    assert.equal((await laptop.get('/api/session')).status, 200);
  });

  it('an untrusted client is still refused, even with the right password, with the usual answer', async () => {
    const stranger = from(service, '203.0.113.50');
    const refused = await stranger.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(refused.status, 429);
    assert.equal(refused.text, untrustedRefusal.text);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal(stranger.cookies.size, 0, 'no session, no device cookie');
    const page = await from(service, '203.0.113.51').submitForm('/login', '/login', { email: EMAIL, password: PASSWORD });
    assert.equal(page.status, 429);
    assert.match(page.text, /Too many attempts/);
  });

  it("another account's device cookie, a tampered or forged one: all untrusted", async () => {
    const adaId = (await service.deps.store.users.findByCanonicalEmail(EMAIL))?.id as string;
    const genuine = home.cookies.get(DEVICE) as string;
    const box = new SecretBox(new Keyring([TEST_SECRET]));
    const sealedAt = (ms: number) => new DeviceCookies({ box, clock: new ManualClock(ms), random: cryptoRandom }).issue(adaId);
    const otherKey = new DeviceCookies({
      box: new SecretBox(new Keyring(['another-secret-key-0123456789abcdef0123456789'])),
      clock,
      random: cryptoRandom,
    }).issue(adaId);
    // A character inside the sealed body (the last one may hold unused bits of its base64url).
    const at = genuine.length - 5;
    const flipped = `${genuine.slice(0, at)}${genuine[at] === 'A' ? 'B' : 'A'}${genuine.slice(at + 1)}`;
    const cases: Record<string, string> = {
      "bob's device cookie": bobsBrowser.cookies.get(DEVICE) as string,
      'a tampered cookie': flipped,
      'a cookie sealed under another key': otherKey,
      'plain JSON naming the account': JSON.stringify({ u: adaId, n: 'x', t: clock.nowMs() }),
    };
    for (const [what, value] of Object.entries(cases)) {
      const response = await withDeviceCookie(service, value).postJson('/api/login', { email: EMAIL, password: PASSWORD });
      assert.equal(response.status, 429, what);
      assert.equal(response.text, untrustedRefusal.text, what);
    }
    // The same sealing with the service's key is trusted: the refusals above came from whose
    // cookie it was and how it was made, not from the way the test made cookies.
    const control = await withDeviceCookie(service, sealedAt(clock.nowMs())).postJson('/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(control.status, 200);
  });

  it('a known browser is judged by its own failures: after RATE_LIMIT_LOGIN_DEVICE it alone is refused', async () => {
    for (let i = 0; i < 10; i++) {
      const failure = await phone.postJson('/api/login', { email: EMAIL, password: `typo ${i}` });
      assert.equal(failure.status, 401, `failure ${i}`);
      assert.equal(failure.json().error.code, 'INVALID_CREDENTIALS');
    }
    const locked = await phone.postJson('/api/login', { email: EMAIL, password: PASSWORD });
    assert.equal(locked.status, 429, 'its own lock-out, even for the right password');
    assert.equal(locked.text, untrustedRefusal.text, 'the same answer as any refusal');
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After: ${retryAfter}`);
    assert.equal((await home.postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 200, 'another known browser');
  });

  it('a password reset ends the trust of the browsers that signed in before it; new sign-ins earn it again', async () => {
    clock.advanceSeconds(1);
    const token = await requestResetToken(service, EMAIL);
    const renewed = 'a brand new passphrase';
    assert.equal((await apiClient(service).postJson('/api/password/reset', { token, password: renewed })).status, 200);
    clock.advanceSeconds(1);
    const fresh = await knownBrowser(service, 'api', EMAIL, renewed);

    const { verified } = await attack([service], 40, 5000);
    assert.equal(verified, 10, 'the reset cleared the per-account limit; the attacker spent it again');
    assert.equal((await laptop.postJson('/api/login', { email: EMAIL, password: renewed })).status, 429, 'signed in before the reset');
    assert.equal((await fresh.postJson('/api/login', { email: EMAIL, password: renewed })).status, 200, 'signed in after it');
    expiring = fresh;
  });

  it('a device cookie expires a year after its last sign-in', async () => {
    const adaId = (await service.deps.store.users.findByCanonicalEmail(EMAIL))?.id as string;
    const issued = clock.nowMs();
    clock.advanceSeconds(365 * 24 * 3600);
    const response = await expiring.postJson('/api/login', { email: EMAIL, password: 'a brand new passphrase' });
    assert.equal(response.status, 429, 'a year old: untrusted');
    const box = new SecretBox(new Keyring([TEST_SECRET]));
    const aMinuteYounger = new DeviceCookies({ box, clock: new ManualClock(issued + 60_000), random: cryptoRandom }).issue(adaId);
    const control = await withDeviceCookie(service, aMinuteYounger).postJson('/api/login', {
      email: EMAIL,
      password: 'a brand new passphrase',
    });
    assert.equal(control.status, 200, 'a minute younger: still trusted');
  });
});

/** Limits shared by two nodes through Redis: a known browser is known on every node, and so are its failures. */
describe('the same with two nodes sharing their limits through Redis', {
  skip: process.env.TEST_REDIS_URL ? false : 'SKIPPED: TEST_REDIS_URL is not set',
}, () => {
  const nodes: TestService[] = [];
  let knownDevice: string;
  before(async () => {
    const env = {
      TRUST_PROXY: 'loopback',
      REDIS_URL: process.env.TEST_REDIS_URL as string,
      REDIS_KEY_PREFIX: `lk-test-${randomBytes(4).toString('hex')}`,
      // The database slow-down is out of the way: what is measured is the limits Redis shares.
      LOGIN_THROTTLE_AFTER: '20',
    };
    nodes.push(await startTestService(env), await startTestService(env));
    // One account with the same id on both nodes' databases, as on nodes sharing one database.
    const id = newId();
    for (const node of nodes) {
      const passwordHash = await node.deps.hasher.hashPassword(PASSWORD);
      await insertUser(node.deps.store, { id, email: EMAIL, passwordHash, nowMs: Date.now() - 1000 });
    }
  });
  after(() => Promise.all(nodes.map((n) => n.close())));

  it('1,000 failures spread over both nodes: 10 verified in all, and the known browser of node 1 signs in on node 2', async () => {
    const [one, two] = nodes as [TestService, TestService];
    const browser = apiClient(one);
    assert.equal((await browser.postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 200);
    const device = browser.cookies.get(DEVICE) as string;
    knownDevice = device;

    const { verified } = await attack(nodes, 1000);
    assert.equal(verified, 10);
    assert.equal((await apiClient(two).postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 429, 'untrusted');
    assert.equal((await withDeviceCookie(two, device).postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 200);
  });

  it("a known browser's own failures count on every node, parallel ones exactly", async () => {
    const [one, two] = nodes as [TestService, TestService];
    // The per-account limit is spent: only the known browser of the test above can sign in now.
    const browser = withDeviceCookie(one, knownDevice);
    assert.equal((await browser.postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 200);
    const device = browser.cookies.get(DEVICE) as string;
    // 40 guesses at once from that browser, spread over both nodes: exactly RATE_LIMIT_LOGIN_DEVICE are verified.
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        withDeviceCookie(i % 2 === 0 ? one : two, device).postJson('/api/login', { email: EMAIL, password: `typo ${i}` }),
      ),
    );
    assert.equal(responses.filter((r) => r.status === 401).length, 10);
    assert.equal(responses.filter((r) => r.status === 429).length, 30);
    for (const node of nodes) {
      assert.equal((await withDeviceCookie(node, device).postJson('/api/login', { email: EMAIL, password: PASSWORD })).status, 429);
    }
  });
});
