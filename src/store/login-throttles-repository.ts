import type { Kysely } from 'kysely';
import type { Capabilities } from './database.ts';
import type { Database } from './schema.ts';

export interface ThrottleState {
  failures: number;
  lastFailedAtMs: number;
}

/**
 * Failed sign-ins per account key. Two portable statements per failure: an insert that does
 * nothing when the key exists, then an increment (restarting from 1 when the last failure is
 * older than the window), so concurrent failures are all counted on every engine.
 */
export class LoginThrottlesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly capabilities: Capabilities,
  ) {}

  async find(key: string): Promise<ThrottleState | undefined> {
    const row = await this.db.selectFrom('login_throttles').selectAll().where('key', '=', key).executeTakeFirst();
    return row ? { failures: Number(row.failures), lastFailedAtMs: Number(row.last_failed_at) } : undefined;
  }

  async recordFailure(key: string, nowMs: number, windowMs: number): Promise<void> {
    const insert = this.db.insertInto('login_throttles').values({ key, failures: 0, last_failed_at: nowMs });
    if (this.capabilities.insertIgnoreStyle === 'ignore') await insert.ignore().execute();
    else await insert.onConflict((oc) => oc.column('key').doNothing()).execute();
    await this.db
      .updateTable('login_throttles')
      .set((eb) => ({
        failures: eb
          .case()
          .when('last_failed_at', '<', nowMs - windowMs)
          .then(1)
          .else(eb('failures', '+', 1))
          .end(),
        last_failed_at: nowMs,
      }))
      .where('key', '=', key)
      .execute();
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttles').where('key', '=', key).execute();
  }

  /** Forgets keys whose last failure is older than the cutoff (run by cleanup). */
  async deleteOlderThan(cutoffMs: number): Promise<number> {
    const result = await this.db.deleteFrom('login_throttles').where('last_failed_at', '<', cutoffMs).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
