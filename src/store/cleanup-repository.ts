import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Database } from './schema.ts';

type PurgeableTable = 'tokens' | 'sessions' | 'outbox' | 'oidc_payloads' | 'webauthn_challenges' | 'audit_events';
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
      oidc_payloads: ((eb) => eb('expires_at', '<', cutoffMs)) as Condition<'oidc_payloads'>,
      webauthn_challenges: ((eb) =>
        eb.or([eb('expires_at', '<', cutoffMs), eb('used_at', '<', cutoffMs)])) as Condition<'webauthn_challenges'>,
      audit_events: ((eb) => eb('created_at', '<', cutoffMs)) as Condition<'audit_events'>,
    };
  }

  /** The column that identifies a row of each table. */
  private static readonly keyColumn = {
    tokens: 'id',
    sessions: 'id',
    outbox: 'id',
    oidc_payloads: 'key',
    webauthn_challenges: 'id',
    audit_events: 'id',
  } as const;

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
    // One generic path for every table: Kysely cannot type a column chosen at run time.
    const column = CleanupRepository.keyColumn[table] as 'id';
    const rows = await this.db
      .selectFrom(table as 'tokens')
      .select(column)
      .where(where as Condition<'tokens'>)
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return 0;
    const result = await this.db
      .deleteFrom(table as 'tokens')
      .where(
        column,
        'in',
        rows.map((r) => r[column]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
