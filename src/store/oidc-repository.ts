import type { Kysely, Selectable } from 'kysely';
import { type Capabilities, retryingConflicts } from './database.ts';
import type { Database, OidcPayloadsTable } from './schema.ts';

export type OidcPayloadRecord = Selectable<OidcPayloadsTable>;

/**
 * Rows of what oidc-provider stores. This repository sees only digests and sealed payloads; the
 * digesting and sealing live in src/flows/oidc/oidc-storage.ts. Lookups take every candidate
 * digest (one per server key) so SECRET_KEYS can rotate.
 */
export class OidcRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly capabilities: Capabilities,
  ) {}

  /**
   * Inserts or replaces the row with this key (one statement, so two writers of one id never
   * collide). `consumed_at` is only ever set here, never cleared: a consumed code stays consumed.
   */
  async upsert(row: OidcPayloadRecord): Promise<void> {
    const { key, ...rest } = row;
    const update = { ...rest, consumed_at: undefined as number | undefined };
    if (row.consumed_at !== null) update.consumed_at = row.consumed_at;
    else delete update.consumed_at;
    const insert = this.db.insertInto('oidc_payloads').values(row);
    // The engines that write `ON CONFLICT DO NOTHING` also write `ON CONFLICT DO UPDATE`; MySQL has its own form.
    if (this.capabilities.insertIgnoreStyle === 'on-conflict') {
      await insert.onConflict((oc) => oc.column('key').doUpdateSet(update)).execute();
    } else {
      await insert.onDuplicateKeyUpdate(update).execute();
    }
  }

  find(model: string, keys: string[]): Promise<OidcPayloadRecord | undefined> {
    return this.db.selectFrom('oidc_payloads').selectAll().where('model', '=', model).where('key', 'in', keys).executeTakeFirst();
  }

  findByUid(model: string, uidDigests: string[]): Promise<OidcPayloadRecord | undefined> {
    return this.db
      .selectFrom('oidc_payloads')
      .selectAll()
      .where('model', '=', model)
      .where('uid_digest', 'in', uidDigests)
      .executeTakeFirst();
  }

  findByUserCode(model: string, userCodeDigests: string[]): Promise<OidcPayloadRecord | undefined> {
    return this.db
      .selectFrom('oidc_payloads')
      .selectAll()
      .where('model', '=', model)
      .where('user_code_digest', 'in', userCodeDigests)
      .executeTakeFirst();
  }

  /** Marks the row consumed in one conditional UPDATE (S3): true for exactly one of any number of concurrent callers. */
  async consume(model: string, keys: string[], nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('oidc_payloads')
      .set({ consumed_at: nowMs })
      .where('model', '=', model)
      .where('key', 'in', keys)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(model: string, keys: string[]): Promise<number> {
    const result = await this.db.deleteFrom('oidc_payloads').where('model', '=', model).where('key', 'in', keys).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes the rows of a grant: of one model, or of every model (the grant itself included) when
   * none is given. oidc-provider revokes a grant's codes and tokens of every model at once, so these
   * DELETEs race on the grant_id index: InnoDB may pick one as a deadlock victim. It runs on its own
   * (never inside a transaction: the OIDC adapter calls it on the root store), so a victim simply
   * runs again, a few times, after a short random pause.
   */
  async deleteByGrant(grantDigests: string[], model?: string): Promise<number> {
    return retryingConflicts(this.capabilities, async () => {
      let query = this.db.deleteFrom('oidc_payloads').where('grant_id', 'in', grantDigests);
      if (model !== undefined) query = query.where('model', '=', model);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /**
   * Ends everything applications hold for a user: their OIDC sessions, interactions, grants and
   * every code and token of those grants. Run it inside the caller's transaction to make it all or nothing.
   */
  deleteForUser(userId: string): Promise<number> {
    return this.deleteWithGrantsOf('user_id', userId);
  }

  /** Deletes every grant, code and token of an application (when it is removed). */
  deleteForClient(clientId: string): Promise<number> {
    return this.deleteWithGrantsOf('client_id', clientId);
  }

  /**
   * Deletes the rows whose `column` is `value` and every row of their grants. Two statements:
   * MySQL cannot delete from a table it selects from in a subquery.
   */
  private async deleteWithGrantsOf(column: 'user_id' | 'client_id', value: string): Promise<number> {
    const grants = await this.db
      .selectFrom('oidc_payloads')
      .select('grant_id')
      .where(column, '=', value)
      .where('grant_id', 'is not', null)
      .execute();
    const grantIds = [...new Set(grants.map((g) => g.grant_id as string))];
    const result = await this.db
      .deleteFrom('oidc_payloads')
      .where((eb) => (grantIds.length > 0 ? eb.or([eb(column, '=', value), eb('grant_id', 'in', grantIds)]) : eb(column, '=', value)))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
