import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keyring } from '../../../src/crypto/keyring.ts';

const OLD = 'old-key-0123456789abcdef0123456789abcdef';
const NEW = 'new-key-0123456789abcdef0123456789abcdef';

describe('Keyring', () => {
  it('refuses to exist without a key', () => {
    assert.throws(() => new Keyring([]), /at least one secret key/);
    assert.throws(() => new Keyring(['']), /at least 32 characters/, 'an empty key is a publicly known key');
    assert.throws(() => new Keyring([NEW, 'x'.repeat(31)]), /at least 32 characters/);
  });

  it('derives 32-byte subkeys per purpose, never the raw secret, the first secret signing', () => {
    const ring = new Keyring([NEW, OLD]);
    const digestKeys = ring.keys('token-digest');
    assert.equal(digestKeys.length, 2);
    for (const key of digestKeys) assert.equal(key.length, 32);
    assert.ok(!digestKeys[0]!.equals(Buffer.from(NEW).subarray(0, 32)));
    assert.ok(ring.signingKey('token-digest').equals(digestKeys[0]!));
    assert.ok(!ring.signingKey('csrf').equals(ring.signingKey('token-digest')), 'purposes get separate keys');
    assert.ok(new Keyring([OLD]).signingKey('csrf').equals(ring.keys('csrf')[1]!), 'derivation depends only on the secret');
  });

  it('verifies an HMAC made under any configured key, so keys rotate without breaking values', () => {
    const mac = new Keyring([OLD]).hmac('csrf', 'value');
    assert.equal(new Keyring([OLD]).verifyHmac('csrf', 'value', mac), true);
    assert.equal(new Keyring([NEW, OLD]).verifyHmac('csrf', 'value', mac), true, 'old key still verifies after rotation');
    assert.equal(new Keyring([NEW]).verifyHmac('csrf', 'value', mac), false, 'a removed key no longer verifies');
  });

  it('refuses a wrong value, a wrong purpose, a truncated or altered MAC', () => {
    const ring = new Keyring([NEW, OLD]);
    const mac = ring.hmac('csrf', 'value');
    assert.equal(ring.verifyHmac('csrf', 'other', mac), false);
    assert.equal(ring.verifyHmac('token-digest', 'value', mac), false);
    assert.equal(ring.verifyHmac('csrf', 'value', mac.slice(0, -1)), false);
    assert.equal(ring.verifyHmac('csrf', 'value', ''), false);
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    assert.equal(ring.verifyHmac('csrf', 'value', flipped), false);
  });

  it('gives each key a short stable id', () => {
    const ring = new Keyring([NEW, OLD]);
    const [a, b] = ring.keys('outbox-encryption');
    assert.match(ring.keyId(a!), /^[A-Za-z0-9_-]{8}$/);
    assert.equal(ring.keyId(a!), new Keyring([NEW]).keyId(new Keyring([NEW]).signingKey('outbox-encryption')));
    assert.notEqual(ring.keyId(a!), ring.keyId(b!));
  });
});
