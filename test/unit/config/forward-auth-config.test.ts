import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configInTempDir } from '../../support/config.ts';

const { load, problemsOf } = configInTempDir('config');

describe('RETURN_TO_ALLOWED and COOKIE_DOMAIN', () => {
  it('always allows the PUBLIC_URL origin and adds the listed origins', () => {
    assert.deepEqual(load({}).returnToAllowedOrigins, ['http://localhost:3000']);
    const config = load({
      PUBLIC_URL: 'https://auth.example.com',
      RETURN_TO_ALLOWED: ' https://app.example.com, http://127.0.0.1:8080/ ,https://APP.example.com',
    });
    assert.deepEqual(config.returnToAllowedOrigins, ['https://auth.example.com', 'https://app.example.com', 'http://127.0.0.1:8080']);
  });

  it('names RETURN_TO_ALLOWED for an entry that is not an http(s) origin', () => {
    for (const entry of [
      'app.example.com',
      'https://app.example.com/path',
      'https://user@app.example.com',
      'javascript:alert(1)',
      'ftp://app.example.com',
      'https://app.example.com?x',
      '*',
    ]) {
      assert.match(
        problemsOf({ RETURN_TO_ALLOWED: entry }),
        /RETURN_TO_ALLOWED must be a comma-separated list of http\(s\) origins/,
        entry,
      );
    }
  });

  it('reads COOKIE_DOMAIN when PUBLIC_URL lies inside it; nothing changes without it', () => {
    assert.equal(load({}).cookieDomain, undefined);
    assert.equal(load({ PUBLIC_URL: 'https://auth.example.com', COOKIE_DOMAIN: '.example.com' }).cookieDomain, '.example.com');
    assert.equal(load({ PUBLIC_URL: 'https://auth.example.com', COOKIE_DOMAIN: 'Example.COM' }).cookieDomain, '.example.com');
    assert.equal(load({ PUBLIC_URL: 'https://example.com', COOKIE_DOMAIN: '.example.com' }).cookieDomain, '.example.com');
  });

  it('names COOKIE_DOMAIN when PUBLIC_URL is outside it or it is not a domain', () => {
    assert.match(
      problemsOf({ PUBLIC_URL: 'https://auth.example.com', COOKIE_DOMAIN: '.example.org' }),
      /COOKIE_DOMAIN must contain the host of PUBLIC_URL/,
    );
    assert.match(
      problemsOf({ PUBLIC_URL: 'https://auth.notexample.com', COOKIE_DOMAIN: '.example.com' }),
      /COOKIE_DOMAIN must contain the host of PUBLIC_URL/,
    );
    assert.match(problemsOf({ PUBLIC_URL: 'https://auth.example.com', COOKIE_DOMAIN: '.com' }), /COOKIE_DOMAIN must be a domain name/);
    assert.match(
      problemsOf({ PUBLIC_URL: 'https://auth.example.com', COOKIE_DOMAIN: 'exa mple.com' }),
      /COOKIE_DOMAIN must be a domain name/,
    );
    assert.match(
      problemsOf({ PUBLIC_URL: 'http://127.0.0.1:3000', COOKIE_DOMAIN: '.0.0.1' }),
      /COOKIE_DOMAIN needs PUBLIC_URL to use a domain name/,
    );
  });
});
