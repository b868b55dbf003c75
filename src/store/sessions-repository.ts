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
  /** "Remember me": a long-lived cookie instead of a browser-session one. */
  persistent?: boolean;
  /** The factors that signed the session in, space-separated (OIDC amr); absent: a password. */
  amr?: string;
}

export interface ActiveSession {
  session: SessionRecord;
  user: Pick<Selectable<UsersTable>, 'id' | 'email' | 'name' | 'disabled_at' | 'username' | 'locale'>;
}

export class SessionsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Called when every session of a user ended (deleteAllForUser), see Store.onAllSessionsEnded. */
    private readonly onAllEnded: (userId: string) => Promise<void> = async () => {},
  ) {}

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
        authenticated_at: session.nowMs,
        persistent: session.persistent === true ? 1 : 0,
        amr: session.amr ?? null,
      })
      .execute();
  }

  /**
   * The live session with this digest and its (enabled) user, or undefined. Live: before its
   * absolute expiry and used within the idle timeout.
   */
  async findActive(digest: string, nowMs: number, idleTimeoutMs: number): Promise<ActiveSession | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select([
        'users.email as user_email',
        'users.name as user_name',
        'users.disabled_at as user_disabled_at',
        'users.username as user_username',
        'users.locale as user_locale',
      ])
      .where('sessions.digest', '=', digest)
      .where('sessions.expires_at', '>', nowMs)
      .where('sessions.last_seen_at', '>', nowMs - idleTimeoutMs)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const { user_email, user_name, user_disabled_at, user_username, user_locale, ...session } = row;
    return {
      session,
      user: {
        id: session.user_id,
        email: user_email,
        name: user_name,
        disabled_at: user_disabled_at,
        username: user_username,
        locale: user_locale,
      },
    };
  }

  async touch(id: string, nowMs: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: nowMs }).where('id', '=', id).execute();
  }

  /** Records that the password was just given again in this session (recent authentication). */
  async markAuthenticated(id: string, nowMs: number): Promise<void> {
    await this.db.updateTable('sessions').set({ authenticated_at: nowMs, last_seen_at: nowMs }).where('id', '=', id).execute();
  }

  /** A user's live sessions, most recently used first. */
  listForUser(userId: string, nowMs: number, idleTimeoutMs: number): Promise<SessionRecord[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', nowMs)
      .where('last_seen_at', '>', nowMs - idleTimeoutMs)
      .orderBy('last_seen_at', 'desc')
      .orderBy('id')
      .execute();
  }

  /** Ends one session, only if it belongs to `userId`; true when it did. */
  async deleteOneForUser(userId: string, sessionId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async deleteByDigest(digest: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('digest', '=', digest).execute();
  }

  /** Ends every session of a user, or every one but `exceptId`; returns how many ended. */
  async deleteAllForUser(userId: string, exceptId?: string): Promise<number> {
    let query = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) query = query.where('id', '!=', exceptId);
    const result = await query.executeTakeFirst();
    await this.onAllEnded(userId);
    return Number(result.numDeletedRows);
  }

  /** Live sessions of a user; without `idleTimeoutMs`, every one not past its absolute expiry. */
  countForUser(userId: string, nowMs: number, idleTimeoutMs?: number): Promise<number> {
    let query = this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .where('expires_at', '>', nowMs);
    if (idleTimeoutMs !== undefined) query = query.where('last_seen_at', '>', nowMs - idleTimeoutMs);
    return query.executeTakeFirstOrThrow().then((r) => Number(r.n));
  }
}
