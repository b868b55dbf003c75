import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateToken, isTokenShaped, sha256, TOKEN_BYTES, TokenDigester } from '../../../src/crypto/tokens.ts';
import { cryptoRandom, type RandomSource } from '../../../src/kernel/random.ts';
import { testKeyring } from '../../support/database.ts';

const KEY_A = 'key-a-0123456789abcdef0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef0123456789abcdef';

describe('reset and session tokens (S1, S2)', () => {
  it('are 43 base64url characters carrying 256 random bits', () => {
    const token = generateToken(cryptoRandom);
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.equal(TOKEN_BYTES, 32);
  });

  it('ask the random source for 32 bytes and encode exactly those bytes', () => {
    const asked: number[] = [];
    const fixed: RandomSource = {
      bytes: (n) => {
        asked.push(n);
        return Buffer.alloc(n, 0xfb);
      },
    };
    const token = generateToken(fixed);
    assert.deepEqual(asked, [32]);
    assert.equal(token, Buffer.alloc(32, 0xfb).toString('base64url'));
  });

  it('never repeat over many draws', () => {
    const tokens = new Set(Array.from({ length: 2000 }, () => generateToken(cryptoRandom)));
    assert.equal(tokens.size, 2000);
  });

  it('are recognised by shape before any lookup', () => {
    assert.equal(isTokenShaped(generateToken(cryptoRandom)), true);
    for (const bad of [
      '',
      'short',
      `${'a'.repeat(43)}=`,
      'a'.repeat(44),
      `${'a'.repeat(42)}!`,
      `${'a'.repeat(42)}/`,
      42,
      null,
      ['a'.repeat(43)],
    ]) {
      assert.equal(isTokenShaped(bad), false, `accepted ${JSON.stringify(bad)}`);
    }
  });

  it('are stored as an HMAC-SHA-256 under a derived server key, never the token or its bare hash', () => {
    const keyring = testKeyring(KEY_A);
    const digester = new TokenDigester(keyring);
    const token = generateToken(cryptoRandom);
    const digest = digester.digest(token);
    assert.notEqual(digest, token);
    assert.ok(!digest.includes(token));
    assert.notEqual(digest, createHash('sha256').update(token).digest('base64url'));
    assert.notEqual(digest, createHmac('sha256', KEY_A).update(token).digest('base64url'), 'the raw secret must not be the HMAC key');
    assert.equal(digest, createHmac('sha256', keyring.signingKey('token-digest')).update(token).digest('base64url'));
    assert.equal(digester.digest(token), digest, 'the digest is deterministic, so it can be looked up');
    assert.notEqual(new TokenDigester(testKeyring(KEY_B)).digest(token), digest, 'another key gives another digest');
  });

  it('offer one candidate digest per key, the signing key first, so rotation keeps old links valid', () => {
    const token = generateToken(cryptoRandom);
    const before = new TokenDigester(testKeyring(KEY_A)).digest(token);
    const rotated = new TokenDigester(testKeyring(KEY_B, KEY_A));
    const candidates = rotated.candidateDigests(token);
    assert.equal(candidates.length, 2);
    assert.equal(candidates[0], rotated.digest(token));
    assert.equal(candidates[1], before);
    assert.ok(!new TokenDigester(testKeyring(KEY_B)).candidateDigests(token).includes(before), 'a dropped key stops verifying');
  });

  it('hash session tokens with plain SHA-256', () => {
    assert.equal(sha256('abc'), createHash('sha256').update('abc').digest('base64url'));
    assert.notEqual(sha256('abc'), 'abc');
  });
});
