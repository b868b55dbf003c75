import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForwardAuth, headerValue } from '../../../src/flows/authz/service.ts';
import { ReturnToRule } from '../../../src/flows/return-to.ts';

describe('forward auth identity headers', () => {
  it('leave printable ASCII as it is and percent-encode everything else, "%" included', () => {
    assert.equal(headerValue('ada@example.com'), 'ada@example.com');
    assert.equal(headerValue('Ada Lovelace (1815)'), 'Ada Lovelace (1815)');
    assert.equal(headerValue('Zoë'), 'Zo%C3%AB');
    assert.equal(headerValue('李小龍'), '%E6%9D%8E%E5%B0%8F%E9%BE%8D');
    assert.equal(headerValue('100%'), '100%25');
    assert.equal(headerValue('a\r\nRemote-User: admin'), 'a%0D%0ARemote-User: admin');
    assert.equal(headerValue('tab\there\u0000\u007f\u2028'), 'tab%09here%00%7F%E2%80%A8');
    assert.equal(headerValue('\ud800'), '%EF%BF%BD', 'a lone surrogate becomes U+FFFD, never an exception');
    for (const value of ['Zoë Ünal', '100% sure', 'a\r\nb', '李小龍', 'plain']) {
      const encoded = headerValue(value);
      assert.match(encoded, /^[\x20-\x7e]*$/, 'only printable ASCII goes on the wire');
      assert.equal(decodeURIComponent(encoded), value, 'decodeURIComponent restores it');
    }
  });

  it('send Remote-Name and Remote-Username only when the user has them', () => {
    const forwardAuth = new ForwardAuth({
      publicUrl: new URL('https://auth.example.com'),
      returnTo: new ReturnToRule(['https://auth.example.com']),
    });
    assert.deepEqual(forwardAuth.headersFor({ id: 'u1', email: 'a@example.com', name: null, username: null }), {
      'remote-user': 'u1',
      'remote-email': 'a@example.com',
    });
    assert.deepEqual(forwardAuth.headersFor({ id: 'u1', email: 'a@example.com', name: 'Zoë', username: 'zoe' }), {
      'remote-user': 'u1',
      'remote-email': 'a@example.com',
      'remote-name': 'Zo%C3%AB',
      'remote-username': 'zoe',
    });
  });

  it('build the login URL from PUBLIC_URL, with return_to only for an allowed original URL', () => {
    const forwardAuth = new ForwardAuth({
      publicUrl: new URL('https://auth.example.com'),
      returnTo: new ReturnToRule(['https://auth.example.com', 'https://app.example.com']),
    });
    assert.equal(
      forwardAuth.loginUrl({ originalUrl: 'https://app.example.com/a?b=1' }),
      'https://auth.example.com/login?return_to=https%3A%2F%2Fapp.example.com%2Fa%3Fb%3D1',
    );
    assert.equal(forwardAuth.loginUrl({ originalUrl: 'https://evil.example/' }), 'https://auth.example.com/login');
    assert.equal(
      forwardAuth.loginUrl({ forwardedProto: 'https, http', forwardedHost: 'app.example.com, proxy.internal', forwardedUri: '/x' }),
      'https://auth.example.com/login?return_to=https%3A%2F%2Fapp.example.com%2Fx',
      'a chain of proxies: the first one saw what the browser sent',
    );
    assert.equal(
      forwardAuth.loginUrl({ forwardedProto: ['https', 'http'], forwardedHost: 'app.example.com', forwardedUri: '/x' }),
      'https://auth.example.com/login',
    );
  });
});
