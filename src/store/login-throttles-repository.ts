import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Capabilities } from './database.ts';
import type { Database } from './schema.ts';

export interface ThrottleState {
  failures: number;
  lastFailedAtMs: number;
}

/** How a key is slowed down: `after` failures are free, then waits of 1 s, 2 s, 4 s ... up to the cap. */
export interface ThrottleRule {
  after: number;
  maxDelaySeconds: number;
  /** A key whose last attempt is older than this starts again from nothing. */
  windowMs: number;
}

/** Milliseconds a key with `failures` failures must wait after its last one (the rule in plain code). */
export function delayMsAfter(failures: number, rule: ThrottleRule): number {
  if (failures < rule.after) return 0;
  return Math.min(2 ** (failures - rule.after), rule.maxDelaySeconds) * 1000;
}

/**
 * Attempts per throttle key. An attempt is reserved before the password is verified, by one
 * conditional UPDATE that counts it only when the key may try now; its affected-row count decides,
 * so N parallel attempts can never all pass a check made before any of them was counted (no
 * SELECT-then-UPDATE). The row is created first by an insert that does nothing when it exists.
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

  /**
   * Counts one attempt for `key` if the rule lets it try at `nowMs`; true when counted (the caller
   * may verify), false when the key must wait. A key idle for longer than the window restarts at 1.
   */
  async reserve(key: string, nowMs: number, rule: ThrottleRule): Promise<boolean> {
    const insert = this.db.insertInto('login_throttles').values({ key, failures: 0, last_failed_at: nowMs });
    if (this.capabilities.insertIgnoreStyle === 'ignore') await insert.ignore().execute();
    else await insert.onConflict((oc) => oc.column('key').doNothing()).execute();
    const windowStart = nowMs - rule.windowMs;
    const result = await this.db
      .updateTable('login_throttles')
      .set((eb) => ({
        failures: eb
          .case()
          .when('last_failed_at', '<', windowStart)
          .then(eb.lit(1))
          .else(eb('failures', '+', eb.lit(1)))
          .end(),
        last_failed_at: nowMs,
      }))
      .where('key', '=', key)
      .where((eb) =>
        eb.or([
          eb('failures', '<', rule.after),
          eb('last_failed_at', '<', windowStart),
          eb(eb('last_failed_at', '+', delayCase(eb, rule)), '<=', nowMs),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives one reserved attempt back (the verification did not happen, or did not count). */
  async release(key: string): Promise<void> {
    await this.db
      .updateTable('login_throttles')
      .set((eb) => ({ failures: eb('failures', '-', eb.lit(1)) }))
      .where('key', '=', key)
      .where('failures', '>', 0)
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

/** `delayMsAfter(failures)` as a portable SQL CASE over the failures column, with literal numbers only. */
function delayCase(eb: ExpressionBuilder<Database, 'login_throttles'>, rule: ThrottleRule) {
  let builder = eb
    .case()
    .when('failures', '<', eb.lit(rule.after))
    .then(eb.lit(0 as number));
  for (let step = 0; 2 ** step < rule.maxDelaySeconds; step++) {
    builder = builder.when('failures', '=', eb.lit(rule.after + step)).then(eb.lit(2 ** step * 1000));
  }
  return builder.else(eb.lit(rule.maxDelaySeconds * 1000)).end();
}
