import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The shortest key accepted from any source (SECRET_KEYS, DATA_DIR/secret-key). */
export const MIN_SECRET_KEY_LENGTH = 32;

export type KeyPurpose = 'token-digest' | 'outbox-encryption' | 'csrf' | 'rate-limit-key';

/**
 * The server keys from SECRET_KEYS: the first signs and encrypts, every key verifies and decrypts,
 * so keys rotate without breaking live links. Each purpose gets its own subkey (HKDF-SHA-256).
 */
export class Keyring {
  private readonly derived = new Map<KeyPurpose, Buffer[]>();

  constructor(private readonly secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('Keyring needs at least one secret key');
    if (secrets.some((secret) => secret.length < MIN_SECRET_KEY_LENGTH)) {
      throw new Error(`Keyring: every secret key needs at least ${MIN_SECRET_KEY_LENGTH} characters`);
    }
  }

  /** Subkeys for a purpose, the signing one first. */
  keys(purpose: KeyPurpose): Buffer[] {
    let keys = this.derived.get(purpose);
    if (!keys) {
      keys = this.secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'latchkey', purpose, 32)));
      this.derived.set(purpose, keys);
    }
    return keys;
  }

  signingKey(purpose: KeyPurpose): Buffer {
    return this.keys(purpose)[0] as Buffer;
  }

  /** A short id for a key, stored beside ciphertext so the right key is tried first. */
  keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  hmac(purpose: KeyPurpose, value: string): string {
    return createHmac('sha256', this.signingKey(purpose)).update(value).digest('base64url');
  }

  /** True when `mac` is the HMAC of `value` under any key of the purpose; constant-time per key. */
  verifyHmac(purpose: KeyPurpose, value: string, mac: string): boolean {
    const given = Buffer.from(mac);
    let matched = false;
    for (const key of this.keys(purpose)) {
      const expected = Buffer.from(createHmac('sha256', key).update(value).digest('base64url'));
      if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
    }
    return matched;
  }
}
