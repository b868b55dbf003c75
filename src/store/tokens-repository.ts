import type { Kysely, Selectable } from 'kysely';
import type { Database, TokensTable } from './schema.ts';

export type TokenRecord = Selectable<TokensTable>;
/** What a link token is for; a token of one purpose is never accepted for another. */
export type TokenPurpose =
  | 'password-reset'
  | 'email-confirm'
  | 'email-change'
  | 'email-change-undo'
  // Passwordless sign-in (flows/passwordless): the emailed link, and the 8-digit code in the same mail.
  | 'login-link'
  | 'signin-code'
  // One-time codes (flows/codes): numeric, entered by hand, at most 5 wrong attempts each.
  | 'reset-code'
  | 'login-code'
  | 'phone-verify'
  // "Confirm it is you" by an emailed code (flows/settings/reauth.ts), bound to the session that asked.
  | 'reauth-code';

export interface NewToken {
  id: string;
  purpose: TokenPurpose;
  digest: string;
  userId: string;
  nowMs: number;
  expiresAtMs: number;
  requestedIp: string | null;
  targetEmail?: string | null;
  targetPhone?: string | null;
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
        target_email: token.targetEmail ?? null,
        target_phone: token.targetPhone ?? null,
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

  /**
   * Kills every outstanding token of a user, of every purpose (S6), or of every purpose but
   * `except` (an email change keeps the "it was not me" link it just sent to the old address).
   */
  async revokeAllForUser(userId: string, nowMs: number, except: TokenPurpose[] = []): Promise<number> {
    let query = this.db
      .updateTable('tokens')
      .set({ revoked_at: nowMs })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null);
    if (except.length > 0) query = query.where('purpose', 'not in', except);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Revokes a user's live tokens of one purpose issued at `sinceMs` or later. Undoing an email
   * change kills the "it was not me" links issued since the one used (they point back to
   * addresses the account got later, an intruder's) and spares the older ones (the owner's).
   */
  async revokeIssuedSince(userId: string, purpose: TokenPurpose, sinceMs: number, nowMs: number): Promise<number> {
    const result = await this.db
      .updateTable('tokens')
      .set({ revoked_at: nowMs })
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('created_at', '>=', sinceMs)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The newest live (unused, unrevoked, unexpired) token of a purpose for a user: the one code that counts. */
  findLatestLive(userId: string, purpose: TokenPurpose, nowMs: number): Promise<TokenRecord | undefined> {
    return this.db
      .selectFrom('tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }

  /**
   * Counts one attempt at a live code in one conditional UPDATE, before it is compared (S4):
   * true when the attempt may be compared. Of any number of parallel attempts at most
   * `maxAttempts` get true, on every engine; a code whose attempts are spent is dead.
   */
  async countAttempt(id: string, maxAttempts: number, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('tokens')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('attempts', '<', maxAttempts)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Marks one code used (single use, S3): true for the one caller that did it. */
  async consumeById(id: string, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('tokens')
      .set({ used_at: nowMs })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Revokes a user's live tokens of the given purposes (a new code replaces the older ones). */
  async revokeLive(userId: string, purposes: TokenPurpose[], nowMs: number): Promise<number> {
    const result = await this.db
      .updateTable('tokens')
      .set({ revoked_at: nowMs })
      .where('user_id', '=', userId)
      .where('purpose', 'in', purposes)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
