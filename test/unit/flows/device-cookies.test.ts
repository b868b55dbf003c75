import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import {
  DEVICE_COOKIE_MAX_AGE_SECONDS,
  DeviceCookies,
  deviceCookieName,
  deviceCookieOptions,
} from '../../../src/flows/login/device-cookies.ts';
import { CookiePolicy } from '../../../src/http/cookies.ts';
import { ManualClock } from '../../../src/kernel/clock.ts';
import { cryptoRandom } from '../../../src/kernel/random.ts';
import { testKeyring } from '../../support/database.ts';

const OTHER_SECRET = 'another-secret-key-0123456789abcdef0123456789';
const USER = '0b6f1b1e-6f39-4c1e-9d0e-3f8a2a0c7d11';

function devices(clock = new ManualClock(), ...secrets: string[]) {
  return new DeviceCookies({ box: new SecretBox(testKeyring(...secrets)), clock, random: cryptoRandom });
}

describe('DeviceCookies', () => {
  it('opens what it issued: the account, a 128-bit nonce of its own, the time of issue', () => {
    const clock = new ManualClock();
    const cookies = devices(clock);
    const first = cookies.issue(USER);
    const second = cookies.issue(USER);
    const opened = cookies.open(first);
    assert.deepEqual(opened && { userId: opened.userId, issuedAtMs: opened.issuedAtMs }, { userId: USER, issuedAtMs: clock.nowMs() });
    assert.match(opened?.nonce ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(cookies.open(second)?.nonce, opened?.nonce, 'every cookie has its own nonce (and budget)');
    assert.notEqual(first, second);
  });

  it('is sealed: nothing of it reads as the account or as JSON', () => {
    const sealed = devices().issue(USER);
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    for (const part of sealed.split('.')) {
      const decoded = Buffer.from(part, 'base64url').toString('latin1');
      // Random ciphertext may hold a lone '{' byte; what must never show is the JSON the cookie seals.
      assert.ok(!decoded.includes(USER) && !decoded.includes('{"'), part);
    }
  });

  it('refuses a tampered, foreign-key or malformed cookie', () => {
    const cookies = devices();
    const sealed = cookies.issue(USER);
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const part = parts[index] as string;
      const flipped = `${part[0] === 'A' ? 'B' : 'A'}${part.slice(1)}`;
      const tampered = parts.map((p, i) => (i === index ? flipped : p)).join('.');
      assert.equal(cookies.open(tampered), undefined, `part ${index}`);
    }
    assert.equal(devices(new ManualClock(), OTHER_SECRET).open(sealed), undefined, 'another key');
    for (const bad of [undefined, '', 'v1', 'garbage', 'x'.repeat(5000), JSON.stringify({ u: USER, n: 'n', t: 0 })]) {
      assert.equal(cookies.open(bad), undefined, String(bad).slice(0, 20));
    }
  });

  it('opens only device cookies: another value sealed under the same key (an outbox payload) is none', () => {
    const box = new SecretBox(testKeyring());
    const cookies = new DeviceCookies({ box, clock: new ManualClock(), random: cryptoRandom });
    assert.equal(cookies.open(box.seal(JSON.stringify({ u: USER, n: 'nonce', t: 0 }))), undefined);
  });

  it('expires DEVICE_COOKIE_MAX_AGE_SECONDS (one year) after it was issued', () => {
    const clock = new ManualClock();
    const cookies = devices(clock);
    const sealed = cookies.issue(USER);
    clock.advanceSeconds(DEVICE_COOKIE_MAX_AGE_SECONDS - 1);
    assert.ok(cookies.open(sealed), 'a second before');
    clock.advanceSeconds(1);
    assert.equal(cookies.open(sealed), undefined, 'at a year');
    assert.equal(DEVICE_COOKIE_MAX_AGE_SECONDS, 31_536_000);
  });

  it('keeps working across a key rotation: a cookie sealed under the old key opens while that key is listed', () => {
    const clock = new ManualClock();
    const old = devices(clock, OTHER_SECRET).issue(USER);
    assert.equal(devices(clock, 'a-newer-secret-key-0123456789abcdef0123456789', OTHER_SECRET).open(old)?.userId, USER);
  });
});

describe('the device cookie on the wire', () => {
  it('is HttpOnly, SameSite=Strict, host-only, Secure and __Host- over https, scoped to the base path', () => {
    const https = new CookiePolicy(new URL('https://auth.example.com'), { domain: '.example.com' });
    assert.equal(deviceCookieName(https), '__Host-lk_device');
    assert.deepEqual(deviceCookieOptions(https, 60), { path: '/', httpOnly: true, secure: true, sameSite: 'strict', maxAge: 60 });
    const underPath = new CookiePolicy(new URL('https://example.com/auth'), { basePath: '/auth' });
    assert.equal(deviceCookieName(underPath), '__Secure-lk_device');
    assert.equal(deviceCookieOptions(underPath, 60).path, '/auth');
    const http = new CookiePolicy(new URL('http://localhost:3000'));
    assert.equal(deviceCookieName(http), 'lk_device');
    assert.equal(deviceCookieOptions(http, 60).secure, false);
  });
});
