import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';

/**
 * AES-256-GCM for data at rest (outbox payloads). Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>`,
 * all base64url. The first key encrypts; any key of the ring decrypts.
 */
export class SecretBox {
  constructor(private readonly keyring: Keyring) {}

  seal(plaintext: string, associatedData = ''): string {
    const key = this.keyring.signingKey('outbox-encryption');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      this.keyring.keyId(key),
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  /** Whether `sealed` was sealed under the current (first) key: values that are not should be sealed again before that key is dropped. */
  isSealedWithCurrentKey(sealed: string): boolean {
    return sealed.split('.')[1] === this.keyring.keyId(this.keyring.signingKey('outbox-encryption'));
  }

  open(sealed: string, associatedData = ''): string {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || body === undefined) throw new Error('Sealed value is malformed');
    const keys = this.keyring.keys('outbox-encryption');
    const ordered = [...keys.filter((k) => this.keyring.keyId(k) === keyId), ...keys.filter((k) => this.keyring.keyId(k) !== keyId)];
    for (const key of ordered) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(associatedData));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // try the next key
      }
    }
    throw new Error('Sealed value could not be opened with any configured key');
  }
}
