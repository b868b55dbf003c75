import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'oidc-provider';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { RandomSource } from '../../kernel/random.ts';
import type { SigningKeyRecord } from '../../store/oidc-keys-repository.ts';
import type { Store } from '../../store/store.ts';
import type { SigningKeyStore } from './ports.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface SigningKeysDeps {
  store: Store;
  box: SecretBox;
  random: RandomSource;
  settings: {
    /**
     * The longest any token signed by a key can live (ID tokens, JWT access tokens...). A retired
     * key stays in the JWKS this long after it stopped signing, so every token it signed still
     * verifies, and is then dropped.
     */
    maxTokenLifetimeSeconds: number;
  };
}

/** A fresh ES256 (P-256) key pair as JWKs, with a random kid. */
async function newEs256Key(kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  const common = { kid, alg: 'ES256', use: 'sig' };
  return {
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...common },
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...common },
  };
}

/**
 * The provider's signing keys in the database, private parts sealed under SECRET_KEYS. The key of
 * the highest generation signs. Creating a generation is race-safe across processes: the unique
 * index on `generation` lets one insert win; the others read what it wrote.
 */
export class SealedSigningKeys implements SigningKeyStore {
  constructor(private readonly deps: SigningKeysDeps) {}

  private associatedData(kid: string): string {
    return `oidc-signing-key:${kid}`;
  }

  async privateJwks(nowMs: number): Promise<JWK[]> {
    let rows = await this.deps.store.oidcKeys.list();
    if (rows.length === 0) {
      await this.insertGeneration(1, nowMs);
      rows = await this.deps.store.oidcKeys.list();
    }
    const [current, ...older] = rows as [SigningKeyRecord, ...SigningKeyRecord[]];
    const lifetimeMs = this.deps.settings.maxTokenLifetimeSeconds * 1000;
    // A key without retired_at below the newest is one a rotation in progress is about to retire.
    const live = older.filter((k) => (k.retired_at ?? current.created_at) + lifetimeMs > nowMs);
    const jwks: JWK[] = [];
    for (const k of [current, ...live]) {
      const plaintext = this.deps.box.open(k.private_jwk, this.associatedData(k.kid));
      // After a SECRET_KEYS rotation, seal again under the new first key, so the old one can be dropped.
      if (!this.deps.box.isSealedWithCurrentKey(k.private_jwk)) {
        await this.deps.store.oidcKeys.updateSealedPrivateJwk(k.kid, this.deps.box.seal(plaintext, this.associatedData(k.kid)));
      }
      jwks.push(JSON.parse(plaintext) as JWK);
    }
    return jwks;
  }

  /** The public halves of `privateJwks`, for display. */
  async publicKeys(nowMs: number): Promise<Array<{ kid: string; alg: string; createdAtMs: number; retiredAtMs: number | null }>> {
    const kids = new Set((await this.privateJwks(nowMs)).map((k) => k.kid));
    const rows = await this.deps.store.oidcKeys.list();
    return rows
      .filter((k) => kids.has(k.kid))
      .map((k) => ({ kid: k.kid, alg: k.alg, createdAtMs: k.created_at, retiredAtMs: k.retired_at }));
  }

  async rotate(nowMs: number): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const [newest] = await this.deps.store.oidcKeys.list();
      const generation = (newest?.generation ?? 0) + 1;
      const kid = await this.insertGeneration(generation, nowMs);
      if (kid !== undefined) {
        await this.deps.store.oidcKeys.retireBefore(generation, nowMs);
        return kid;
      }
      // Another process rotated at the same moment: rotate past its key.
      if (attempt >= 5) throw new Error('Could not rotate the signing key: other processes kept rotating at the same time');
    }
  }

  /** Inserts a key of this generation; undefined when another process inserted that generation first. */
  private async insertGeneration(generation: number, nowMs: number): Promise<string | undefined> {
    const kid = this.deps.random.bytes(16).toString('base64url');
    const { privateJwk, publicJwk } = await newEs256Key(kid);
    try {
      await this.deps.store.oidcKeys.insert({
        kid,
        generation,
        alg: 'ES256',
        private_jwk: this.deps.box.seal(JSON.stringify(privateJwk), this.associatedData(kid)),
        public_jwk: JSON.stringify(publicJwk),
        created_at: nowMs,
        retired_at: null,
      });
      return kid;
    } catch (error) {
      if (this.deps.store.capabilities.isUniqueViolation(error)) return undefined;
      throw error;
    }
  }
}
