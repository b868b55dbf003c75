import { type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import { type Capabilities, retryingConflicts } from './database.ts';
import type { Database, OutboxTable } from './schema.ts';

export type OutboxRecord = Selectable<OutboxTable>;

/** Due: waiting and its time has come, or claimed by a worker whose lease ran out (it died). */
function due(nowMs: number) {
  return (eb: ExpressionBuilder<Database, 'outbox'>): Expression<SqlBool> =>
    eb.or([
      eb.and([eb('status', 'in', ['pending', 'failed']), eb('next_attempt_at', '<=', nowMs)]),
      eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', nowMs)]),
    ]);
}

/** The rows in the order of `ids` (the claim order). */
function inOrder(ids: readonly string[], rows: OutboxRecord[]): OutboxRecord[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export class OutboxRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly capabilities: Capabilities,
    private readonly inTransaction = false,
  ) {}

  /**
   * Workers race on this table by design; an engine may pick one of them as a deadlock victim.
   * Every write here is idempotent or conditional, so it is simply run again (a few times, with
   * a short random pause). Inside a caller's transaction the conflict goes to the caller.
   */
  private retryingConflicts<T>(fn: () => Promise<T>): Promise<T> {
    return this.inTransaction ? fn() : retryingConflicts(this.capabilities, fn);
  }

  async enqueue(message: { id: string; topic: string; sealedPayload: string; nowMs: number }): Promise<void> {
    await this.retryingConflicts(() => this.insert(message));
  }

  private async insert(message: { id: string; topic: string; sealedPayload: string; nowMs: number }): Promise<void> {
    await this.db
      .insertInto('outbox')
      .values({
        id: message.id,
        topic: message.topic,
        payload: message.sealedPayload,
        status: 'pending',
        attempts: 0,
        next_attempt_at: message.nowMs,
        locked_until: null,
        created_at: message.nowMs,
        finished_at: null,
        last_error: null,
      })
      .execute();
  }

  /**
   * Claims up to `limit` due messages for `leaseMs` (at-least-once delivery: a message whose
   * worker died is claimed again when its lease runs out). Where the engine has it, one
   * transaction selects candidates `FOR UPDATE SKIP LOCKED` (workers never wait on each other)
   * and claims them; SQLite reads candidates and claims those still due with one conditional
   * UPDATE … RETURNING. Either way two workers never both hold a message. Oldest due first: by next_attempt_at, then
   * created_at (the index outbox_status_next serves it); the result keeps that order.
   */
  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<OutboxRecord[]> {
    const claim = (eb: ExpressionBuilder<Database, 'outbox'>) => ({
      status: 'sending' as const,
      locked_until: nowMs + leaseMs,
      attempts: eb('attempts', '+', 1),
    });
    if (this.capabilities.skipLocked) {
      const run = async (db: Kysely<Database>) => {
        const rows = await db
          .selectFrom('outbox')
          .select('id')
          .where(due(nowMs))
          .orderBy('next_attempt_at')
          .orderBy('created_at')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute();
        const ids = rows.map((r) => r.id);
        if (ids.length === 0) return [];
        await db.updateTable('outbox').set(claim).where('id', 'in', ids).execute();
        return inOrder(ids, await db.selectFrom('outbox').selectAll().where('id', 'in', ids).execute());
      };
      return this.inTransaction ? run(this.db) : this.retryingConflicts(() => this.db.transaction().execute(run));
    }
    // SQLite (no SKIP LOCKED): the candidates, then one conditional UPDATE … RETURNING of them
    // (another process may have claimed some in between: only rows still due are taken). The due
    // rows are read per status, each in the order of the (status, next_attempt_at) index and cut
    // at `limit`, so a deep queue is not sorted whole on every claim; both statements are short.
    const branch = (where: ReturnType<typeof sql>) =>
      sql`select * from (select id, next_attempt_at, created_at from outbox where ${where} order by next_attempt_at, created_at limit ${limit})`;
    const candidates = await sql<{
      id: string;
    }>`select id from (${branch(sql`status = 'pending' and next_attempt_at <= ${nowMs}`)} union all ${branch(
      sql`status = 'failed' and next_attempt_at <= ${nowMs}`,
    )} union all ${branch(sql`status = 'sending' and locked_until < ${nowMs}`)}) order by next_attempt_at, created_at limit ${limit}`.execute(
      this.db,
    );
    const ids = candidates.rows.map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = await this.retryingConflicts(() =>
      this.db
        .updateTable('outbox')
        .set(claim)
        .where('id', 'in', ids)
        // still due (the same test as due(), written so that SQLite looks the rows up by id: `+status` keeps it off the status index)
        .where(
          sql<boolean>`((+status in ('pending', 'failed') and next_attempt_at <= ${nowMs}) or (+status = 'sending' and locked_until < ${nowMs}))`,
        )
        .returningAll()
        .execute(),
    );
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.created_at - b.created_at);
  }

  /** Gives a claimed but unprocessed message back (graceful shutdown): due again now, attempt not counted. */
  async releaseClaim(id: string, nowMs: number): Promise<void> {
    await this.retryingConflicts(() =>
      this.db
        .updateTable('outbox')
        .set((eb) => ({ status: 'pending', locked_until: null, next_attempt_at: nowMs, attempts: eb('attempts', '-', 1) }))
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .execute(),
    );
  }

  /** Done: the payload (which may hold a link token) is dropped. */
  async markSent(id: string, nowMs: number): Promise<void> {
    await this.retryingConflicts(() =>
      this.db
        .updateTable('outbox')
        .set({ status: 'sent', payload: null, finished_at: nowMs, locked_until: null, last_error: null })
        .where('id', '=', id)
        .execute(),
    );
  }

  /** markSent for several messages in one statement (the courier gathers those done at once). */
  async markSentMany(ids: readonly string[], nowMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.retryingConflicts(() =>
      this.db
        .updateTable('outbox')
        .set({ status: 'sent', payload: null, finished_at: nowMs, locked_until: null, last_error: null })
        .where('id', 'in', ids)
        .execute(),
    );
  }

  async markFailed(id: string, error: string, nextAttemptAtMs: number): Promise<void> {
    await this.retryingConflicts(() =>
      this.db
        .updateTable('outbox')
        .set({ status: 'failed', next_attempt_at: nextAttemptAtMs, locked_until: null, last_error: error.slice(0, 1000) })
        .where('id', '=', id)
        .execute(),
    );
  }

  /** Given up: the payload is dropped too; the error stays for the operator. */
  async markDead(id: string, error: string, nowMs: number): Promise<void> {
    await this.retryingConflicts(() =>
      this.db
        .updateTable('outbox')
        .set({ status: 'dead', payload: null, finished_at: nowMs, locked_until: null, last_error: error.slice(0, 1000) })
        .where('id', '=', id)
        .execute(),
    );
  }

  /** Messages not finished yet (pending, failed awaiting retry, or being sent): the queue depth. */
  async countQueued(): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', 'in', ['pending', 'failed', 'sending'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Age in seconds of the oldest message not finished yet (by created_at), 0 when none is. */
  async oldestQueuedAgeSeconds(nowMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min<number | string | null>('created_at').as('oldest'))
      .where('status', 'in', ['pending', 'failed', 'sending'])
      .executeTakeFirst();
    if (row?.oldest === null || row?.oldest === undefined) return 0;
    return Math.max(0, (nowMs - Number(row.oldest)) / 1000);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('outbox')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
