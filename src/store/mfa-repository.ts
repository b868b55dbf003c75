import type { Kysely, Selectable } from 'kysely';
import type { Database, MfaTotpTable } from './schema.ts';

export type TotpRecord = Selectable<MfaTotpTable>;

/**
 * Authenticator apps and recovery codes. The TOTP secret arrives sealed (the flow seals it);
 * recovery codes arrive as keyed digests. Using a time step or a recovery code is one
 * conditional UPDATE, so of parallel uses of one code exactly one wins (S27).
 */
export class MfaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  findTotp(userId: string): Promise<TotpRecord | undefined> {
    return this.db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Starts (or restarts) a setup: an unconfirmed secret replaces any earlier unconfirmed one, never a confirmed one. */
  async startTotpSetup(userId: string, sealedSecret: string, nowMs: number): Promise<boolean> {
    const existing = await this.findTotp(userId);
    if (existing?.confirmed_at != null) return false;
    if (existing) {
      const result = await this.db
        .updateTable('mfa_totp')
        .set({ secret: sealedSecret, created_at: nowMs, last_step: null })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    }
    await this.db
      .insertInto('mfa_totp')
      .values({ user_id: userId, secret: sealedSecret, created_at: nowMs, confirmed_at: null, last_step: null })
      .execute();
    return true;
  }

  async confirmTotp(userId: string, step: number, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_totp')
      .set({ confirmed_at: nowMs, last_step: step })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Accepts a time step once: only when it is later than the last accepted one (no replay, and
   * of two parallel uses of one code exactly one wins).
   */
  async useTotpStep(userId: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_totp')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteTotp(userId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('mfa_totp').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Replaces every recovery code of the user with new ones (digests): the old ones die. */
  async replaceRecoveryCodes(userId: string, codes: Array<{ id: string; digest: string }>, nowMs: number): Promise<void> {
    await this.db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    if (codes.length === 0) return;
    await this.db
      .insertInto('recovery_codes')
      .values(codes.map((c) => ({ id: c.id, user_id: userId, digest: c.digest, created_at: nowMs, used_at: null })))
      .execute();
  }

  /** Uses a recovery code by any of its candidate digests: true for the one caller that did. */
  async useRecoveryCode(userId: string, digests: string[], nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: nowMs })
      .where('user_id', '=', userId)
      .where('digest', 'in', digests)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async countUnusedRecoveryCodes(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async deleteRecoveryCodes(userId: string): Promise<void> {
    await this.db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  }
}
