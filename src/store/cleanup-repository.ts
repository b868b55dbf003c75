import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Database } from './schema.ts';

type PurgeableTable = 'tokens' | 'sessions' | 'outbox';
type Condition<T extends PurgeableTable> = (eb: ExpressionBuilder<Database, T>) => Expression<SqlBool>;

/**
 * Deletes finished rows in small batches: select a batch of ids, delete those ids. Works the same
 * on every engine (MySQL refuses LIMIT inside IN subqueries), never holds a long lock, and is
 * safe to run from several nodes at once (a row deleted twice is deleted once).
 */
export class CleanupRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private static conditions(cutoffMs: number) {
    return {
      tokens: ((eb) =>
        eb.or([eb('expires_at', '<', cutoffMs), eb('used_at', '<', cutoffMs), eb('revoked_at', '<', cutoffMs)])) as Condition<'tokens'>,
      sessions: ((eb) => eb('expires_at', '<', cutoffMs)) as Condition<'sessions'>,
      outbox: ((eb) => eb.and([eb('status', 'in', ['sent', 'dead']), eb('finished_at', '<', cutoffMs)])) as Condition<'outbox'>,
    };
  }

  async count(table: PurgeableTable, cutoffMs: number): Promise<number> {
    const where = CleanupRepository.conditions(cutoffMs)[table] as Condition<PurgeableTable>;
    const row = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where(where)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes up to `batchSize` rows; returns how many went. Call until it returns 0. */
  async deleteBatch(table: PurgeableTable, cutoffMs: number, batchSize: number): Promise<number> {
    const where = CleanupRepository.conditions(cutoffMs)[table] as Condition<PurgeableTable>;
    const rows = await this.db.selectFrom(table).select('id').where(where).limit(batchSize).execute();
    if (rows.length === 0) return 0;
    const result = await this.db
      .deleteFrom(table)
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
