import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';

const OLD = 'old-key-0123456789abcdef0123456789abcdef';
const NEW = 'new-key-0123456789abcdef0123456789abcdef';
const box = (...keys: string[]) => new SecretBox(new Keyring(keys));

/** Changes one character of part `index` of a sealed value (keeping it valid base64url). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const part = parts[index] as string;
  parts[index] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
  return parts.join('.');
}

describe('SecretBox (AES-256-GCM for data at rest)', () => {
  const plaintext = JSON.stringify({ token: 'secret-token-value', to: 'zoë@example.com' });

  it('seals into v1.<keyId>.<iv>.<tag>.<body> without the plaintext, and opens it again', () => {
    const sealed = box(NEW).seal(plaintext, 'mail');
    const parts = sealed.split('.');
    assert.equal(parts.length, 5);
    assert.equal(parts[0], 'v1');
    assert.equal(Buffer.from(parts[2]!, 'base64url').length, 12, '96-bit IV');
    assert.equal(Buffer.from(parts[3]!, 'base64url').length, 16, '128-bit tag');
    assert.ok(!sealed.includes('secret-token-value'));
    assert.equal(box(NEW).open(sealed, 'mail'), plaintext);
  });

  it('uses a fresh IV every time', () => {
    const a = box(NEW).seal(plaintext);
    const b = box(NEW).seal(plaintext);
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[2], b.split('.')[2]);
  });

  it('detects tampering with the IV, the tag or the ciphertext', () => {
    const sealed = box(NEW).seal(plaintext, 'mail');
    for (const index of [2, 3, 4]) {
      assert.throws(() => box(NEW).open(tamper(sealed, index), 'mail'), /could not be opened/, `part ${index}`);
    }
  });

  it('refuses malformed values', () => {
    for (const bad of ['', 'v1', 'v2.a.b.c.d', 'v1.a.b.c', 'not sealed at all']) {
      assert.throws(() => box(NEW).open(bad), /malformed|could not be opened/, JSON.stringify(bad));
    }
  });

  it('binds the associated data: a payload moved to another topic does not open', () => {
    const sealed = box(NEW).seal(plaintext, 'mail');
    assert.throws(() => box(NEW).open(sealed, 'password-reset-request'), /could not be opened/);
    assert.throws(() => box(NEW).open(sealed), /could not be opened/);
  });

  it('opens values sealed under an older key after rotation, and not after the key is dropped', () => {
    const sealedOld = box(OLD).seal(plaintext, 'mail');
    assert.equal(box(NEW, OLD).open(sealedOld, 'mail'), plaintext);
    assert.throws(() => box(NEW).open(sealedOld, 'mail'), /could not be opened/);
    const sealedNew = box(NEW, OLD).seal(plaintext, 'mail');
    assert.equal(sealedNew.split('.')[1], box(NEW).seal('x').split('.')[1], 'the first key seals');
    assert.throws(() => box(OLD).open(sealedNew, 'mail'), /could not be opened/);
  });

  it('still opens when the key id does not match any key (ids are only a hint)', () => {
    const sealed = box(NEW).seal(plaintext);
    const parts = sealed.split('.');
    parts[1] = 'unknown0';
    assert.equal(box(OLD, NEW).open(parts.join('.')), plaintext);
  });
});
