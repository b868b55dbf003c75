import type { Kysely, Selectable } from 'kysely';
import type { Database, OutboxTable } from './schema.ts';

export type OutboxRecord = Selectable<OutboxTable>;

export class OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async enqueue(message: { id: string; topic: string; sealedPayload: string; nowMs: number }): Promise<void> {
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
   * Claims up to `limit` due messages for `leaseMs`. Each claim is a conditional UPDATE whose
   * row count decides, so two workers never both claim a message; a message whose worker died
   * is claimed again when its lease runs out (at-least-once delivery).
   */
  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<OutboxRecord[]> {
    const candidates = await this.db
      .selectFrom('outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['pending', 'failed']), eb('next_attempt_at', '<=', nowMs)]),
          eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', nowMs)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: string[] = [];
    for (const { id } of candidates) {
      const result = await this.db
        .updateTable('outbox')
        .set((eb) => ({ status: 'sending', locked_until: nowMs + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', 'in', ['pending', 'failed']), eb('next_attempt_at', '<=', nowMs)]),
            eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', nowMs)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) claimed.push(id);
    }
    if (claimed.length === 0) return [];
    return this.db.selectFrom('outbox').selectAll().where('id', 'in', claimed).orderBy('created_at').execute();
  }

  /** Done: the payload (which may hold a link token) is dropped. */
  async markSent(id: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ status: 'sent', payload: null, finished_at: nowMs, locked_until: null, last_error: null })
      .where('id', '=', id)
      .execute();
  }

  async markFailed(id: string, error: string, nextAttemptAtMs: number): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ status: 'failed', next_attempt_at: nextAttemptAtMs, locked_until: null, last_error: error.slice(0, 1000) })
      .where('id', '=', id)
      .execute();
  }

  /** Given up: the payload is dropped too; the error stays for the operator. */
  async markDead(id: string, error: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ status: 'dead', payload: null, finished_at: nowMs, locked_until: null, last_error: error.slice(0, 1000) })
      .where('id', '=', id)
      .execute();
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
