import type { Kysely, Selectable } from 'kysely';
import type { Database, PendingLoginsTable, RememberedDevicesTable } from './schema.ts';

export type PendingLoginRecord = Selectable<PendingLoginsTable>;
export type RememberedDeviceRecord = Selectable<RememberedDevicesTable>;

/**
 * Sign-ins waiting for their second factor, and browsers that skip it ("remember this device").
 * Both are looked up by the keyed digest of the token their cookie holds, never by the token.
 */
export class PendingLoginsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: {
    id: string;
    digest: string;
    userId: string;
    firstFactor: string;
    persistent: boolean;
    nowMs: number;
    expiresAtMs: number;
  }): Promise<void> {
    await this.db
      .insertInto('pending_logins')
      .values({
        id: row.id,
        digest: row.digest,
        user_id: row.userId,
        first_factor: row.firstFactor,
        persistent: row.persistent ? 1 : 0,
        failures: 0,
        created_at: row.nowMs,
        expires_at: row.expiresAtMs,
        ended_at: null,
      })
      .execute();
  }

  /** The live pending sign-in for any of the candidate digests. */
  findLive(digests: string[], nowMs: number): Promise<PendingLoginRecord | undefined> {
    return this.db
      .selectFrom('pending_logins')
      .selectAll()
      .where('digest', 'in', digests)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
  }

  /**
   * Counts one code attempt before it is compared (S4): true when it may be compared. Of any
   * number of parallel attempts at most `maxFailures` get true; then the pending sign-in is dead.
   */
  async countAttempt(id: string, maxFailures: number, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('pending_logins')
      .set((eb) => ({ failures: eb('failures', '+', 1) }))
      .where('id', '=', id)
      .where('failures', '<', maxFailures)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives a counted attempt back (the code was right): the right code never uses up the budget. */
  async giveBackAttempt(id: string): Promise<void> {
    await this.db
      .updateTable('pending_logins')
      .set((eb) => ({ failures: eb('failures', '-', 1) }))
      .where('id', '=', id)
      .where('failures', '>', 0)
      .execute();
  }

  /** Ends a pending sign-in (completed, or given up): true for the one caller that did. */
  async end(id: string, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('pending_logins')
      .set({ ended_at: nowMs })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async endAllForUser(userId: string, nowMs: number): Promise<number> {
    const result = await this.db
      .updateTable('pending_logins')
      .set({ ended_at: nowMs })
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async rememberDevice(row: { id: string; digest: string; userId: string; nowMs: number; expiresAtMs: number }): Promise<void> {
    await this.db
      .insertInto('remembered_devices')
      .values({
        id: row.id,
        digest: row.digest,
        user_id: row.userId,
        created_at: row.nowMs,
        expires_at: row.expiresAtMs,
        last_used_at: null,
      })
      .execute();
  }

  /** A live remembered device of this user for any of the candidate digests (bound to the user). */
  findRememberedDevice(userId: string, digests: string[], nowMs: number): Promise<RememberedDeviceRecord | undefined> {
    return this.db
      .selectFrom('remembered_devices')
      .selectAll()
      .where('user_id', '=', userId)
      .where('digest', 'in', digests)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
  }

  async touchRememberedDevice(id: string, nowMs: number): Promise<void> {
    await this.db.updateTable('remembered_devices').set({ last_used_at: nowMs }).where('id', '=', id).execute();
  }

  /** Forgets every remembered device of a user (credential change, 2FA off, sign out everywhere). */
  async forgetDevices(userId: string): Promise<number> {
    const result = await this.db.deleteFrom('remembered_devices').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Cleanup: pending sign-ins and remembered devices past their expiry. */
  async deleteExpired(cutoffMs: number): Promise<number> {
    const a = await this.db.deleteFrom('pending_logins').where('expires_at', '<', cutoffMs).executeTakeFirst();
    const b = await this.db.deleteFrom('remembered_devices').where('expires_at', '<', cutoffMs).executeTakeFirst();
    return Number(a.numDeletedRows) + Number(b.numDeletedRows);
  }
}
