import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable, UsersTable } from './schema.ts';

export type SessionRecord = Selectable<SessionsTable>;

export interface NewSession {
  id: string;
  digest: string;
  userId: string;
  nowMs: number;
  expiresAtMs: number;
  ip: string | null;
  userAgent: string | null;
}

export interface ActiveSession {
  session: SessionRecord;
  user: Pick<Selectable<UsersTable>, 'id' | 'email' | 'name' | 'disabled_at'>;
}

export class SessionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(session: NewSession): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        digest: session.digest,
        user_id: session.userId,
        created_at: session.nowMs,
        last_seen_at: session.nowMs,
        expires_at: session.expiresAtMs,
        ip: session.ip,
        user_agent: session.userAgent,
      })
      .execute();
  }

  /** The live session with this digest and its (enabled) user, or undefined. */
  async findActive(digest: string, nowMs: number): Promise<ActiveSession | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select(['users.email as user_email', 'users.name as user_name', 'users.disabled_at as user_disabled_at'])
      .where('sessions.digest', '=', digest)
      .where('sessions.expires_at', '>', nowMs)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const { user_email, user_name, user_disabled_at, ...session } = row;
    return { session, user: { id: session.user_id, email: user_email, name: user_name, disabled_at: user_disabled_at } };
  }

  async touch(id: string, nowMs: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: nowMs }).where('id', '=', id).execute();
  }

  async deleteByDigest(digest: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('digest', '=', digest).execute();
  }

  /** Ends every session of a user, or every one but `exceptId`; returns how many ended. */
  async deleteAllForUser(userId: string, exceptId?: string): Promise<number> {
    let query = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) query = query.where('id', '!=', exceptId);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  countForUser(userId: string, nowMs: number): Promise<number> {
    return this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('expires_at', '>', nowMs)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }
}
