import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configInTempDir } from '../../support/config.ts';

const { load, problemsOf } = configInTempDir('breach-config');

describe('breached-password check settings', () => {
  it('default to off, the public range API and 1500 ms', () => {
    const { breachCheck } = load({});
    assert.equal(breachCheck.enabled, false);
    assert.equal(breachCheck.url.href, 'https://api.pwnedpasswords.com/');
    assert.equal(breachCheck.timeoutMs, 1500);
  });

  it('read on, an https mirror, http to loopback only, and a timeout within 100..10000', () => {
    const config = load({ PASSWORD_BREACH_CHECK: 'on', HIBP_URL: 'https://hibp.internal/mirror', HIBP_TIMEOUT_MS: '100' });
    assert.equal(config.breachCheck.enabled, true);
    assert.equal(config.breachCheck.url.href, 'https://hibp.internal/mirror');
    assert.equal(config.breachCheck.timeoutMs, 100);
    assert.equal(load({ HIBP_URL: 'http://127.0.0.1:8080' }).breachCheck.url.port, '8080');
    assert.equal(load({ HIBP_URL: 'http://localhost:8080', HIBP_TIMEOUT_MS: '10000' }).breachCheck.timeoutMs, 10_000);
  });

  it('name each bad value', () => {
    assert.match(problemsOf({ PASSWORD_BREACH_CHECK: 'yes' }), /PASSWORD_BREACH_CHECK must be one of off, on, got "yes"/);
    assert.match(
      problemsOf({ HIBP_URL: 'http://hibp.example.com' }),
      /HIBP_URL must use https:\/\/; http:\/\/ is allowed to a loopback address only/,
    );
    assert.match(problemsOf({ HIBP_URL: 'ftp://hibp.example.com' }), /HIBP_URL must be a URL starting with https:\/\/ or http:\/\//);
    assert.match(problemsOf({ HIBP_URL: 'not a url' }), /HIBP_URL must be a URL/);
    assert.match(problemsOf({ HIBP_URL: 'https://user:pw@hibp.example.com' }), /HIBP_URL must be a base URL without credentials/);
    assert.match(problemsOf({ HIBP_TIMEOUT_MS: '99' }), /HIBP_TIMEOUT_MS must be a whole number from 100 to 10000 ms/);
    assert.match(problemsOf({ HIBP_TIMEOUT_MS: '10001' }), /HIBP_TIMEOUT_MS/);
    assert.match(problemsOf({ HIBP_TIMEOUT_MS: '1.5' }), /HIBP_TIMEOUT_MS/);
  });
});
