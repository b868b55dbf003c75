import type { Kysely, Selectable } from 'kysely';
import type { Database, OidcSigningKeysTable } from './schema.ts';

export type SigningKeyRecord = Selectable<OidcSigningKeysTable>;

/** The OpenID Connect signing keys (private parts sealed by the caller). */
export class OidcKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every key, the newest generation (the one that signs) first. */
  list(): Promise<SigningKeyRecord[]> {
    return this.db.selectFrom('oidc_signing_keys').selectAll().orderBy('generation', 'desc').execute();
  }

  /** Inserts a key; a second key of the same generation is a unique violation (the caller re-reads). */
  async insert(key: SigningKeyRecord): Promise<void> {
    await this.db.insertInto('oidc_signing_keys').values(key).execute();
  }

  /** Replaces the sealed private part (sealed again under the current SECRET_KEYS key). */
  async updateSealedPrivateJwk(kid: string, sealed: string): Promise<void> {
    await this.db.updateTable('oidc_signing_keys').set({ private_jwk: sealed }).where('kid', '=', kid).execute();
  }

  /** Retires every key older than `generation` that is not retired yet. */
  async retireBefore(generation: number, nowMs: number): Promise<number> {
    const result = await this.db
      .updateTable('oidc_signing_keys')
      .set({ retired_at: nowMs })
      .where('generation', '<', generation)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
