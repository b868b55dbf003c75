import type { Kysely, Selectable } from 'kysely';
import type { Database, TokensTable } from './schema.ts';

export type TokenRecord = Selectable<TokensTable>;
export type TokenPurpose = 'password-reset';

export interface NewToken {
  id: string;
  purpose: TokenPurpose;
  digest: string;
  userId: string;
  nowMs: number;
  expiresAtMs: number;
  requestedIp: string | null;
}

export class TokensRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(token: NewToken): Promise<void> {
    await this.db
      .insertInto('tokens')
      .values({
        id: token.id,
        purpose: token.purpose,
        digest: token.digest,
        user_id: token.userId,
        created_at: token.nowMs,
        expires_at: token.expiresAtMs,
        used_at: null,
        revoked_at: null,
        requested_ip: token.requestedIp,
      })
      .execute();
  }

  /** Finds a token by any of its candidate digests (one per server key). Changes nothing. */
  findByDigests(purpose: TokenPurpose, digests: string[]): Promise<TokenRecord | undefined> {
    return this.db.selectFrom('tokens').selectAll().where('purpose', '=', purpose).where('digest', 'in', digests).executeTakeFirst();
  }

  /**
   * Redeems a token in one conditional UPDATE (S3): the affected-row count decides, so of any
   * number of concurrent redemptions exactly one wins, on every engine.
   */
  async consume(purpose: TokenPurpose, digests: string[], nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('tokens')
      .set({ used_at: nowMs })
      .where('purpose', '=', purpose)
      .where('digest', 'in', digests)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Kills every outstanding token of a user, of every purpose (S6). */
  async revokeAllForUser(userId: string, nowMs: number): Promise<number> {
    const result = await this.db
      .updateTable('tokens')
      .set({ revoked_at: nowMs })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
