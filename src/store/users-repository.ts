import { type Kysely, type Selectable, sql } from 'kysely';
import type { Capabilities } from './database.ts';
import type { Database, UsersTable } from './schema.ts';

export type UserRecord = Selectable<UsersTable>;

export interface NewUser {
  id: string;
  email: string;
  emailCanonical: string;
  name: string | null;
  passwordHash: string | null;
  nowMs: number;
  username?: { display: string; canonical: string } | null;
  /** Set when the address counts as confirmed from the start (CONFIRM_EMAIL=off). */
  emailConfirmed?: boolean;
}

export class UsersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly capabilities: Capabilities,
    private readonly inTransaction = false,
  ) {}

  findByCanonicalEmail(emailCanonical: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('email_canonical', '=', emailCanonical).executeTakeFirst();
  }

  findByCanonicalUsername(usernameCanonical: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('username_canonical', '=', usernameCanonical).executeTakeFirst();
  }

  findById(id: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Inserts unless the canonical email (or username) is taken; true when this call created the account. */
  async insertIfAbsent(user: NewUser): Promise<boolean> {
    const values = {
      id: user.id,
      email: user.email,
      email_canonical: user.emailCanonical,
      name: user.name,
      password_hash: user.passwordHash,
      created_at: user.nowMs,
      updated_at: user.nowMs,
      disabled_at: null,
      password_changed_at: user.passwordHash ? user.nowMs : null,
      email_confirmed_at: user.emailConfirmed ? user.nowMs : null,
      username: user.username?.display ?? null,
      username_canonical: user.username?.canonical ?? null,
    };
    const insert = this.db.insertInto('users').values(values);
    const result =
      this.capabilities.insertIgnoreStyle === 'ignore'
        ? await insert.ignore().executeTakeFirst()
        : await insert.onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  private async underSavepoint<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await sql`savepoint ${sql.id(name)}`.execute(this.db);
    try {
      const value = await fn();
      await sql`release savepoint ${sql.id(name)}`.execute(this.db);
      return value;
    } catch (error) {
      await sql`rollback to savepoint ${sql.id(name)}`.execute(this.db);
      throw error;
    }
  }

  async setPasswordHash(userId: string, passwordHash: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: nowMs, updated_at: nowMs })
      .where('id', '=', userId)
      .execute();
  }

  /** No password until the owner sets one through a reset link: nobody can sign in with the old one. */
  async clearPassword(userId: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: null, password_changed_at: nowMs, updated_at: nowMs })
      .where('id', '=', userId)
      .execute();
  }

  /** Replaces the hash only if it is still `expectedHash`: a rehash never overwrites a reset. */
  async upgradePasswordHash(userId: string, expectedHash: string, passwordHash: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: nowMs })
      .where('id', '=', userId)
      .where('password_hash', '=', expectedHash)
      .execute();
  }

  /** Marks the address confirmed (no-op when it already is). */
  async markEmailConfirmed(userId: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ email_confirmed_at: nowMs, updated_at: nowMs })
      .where('id', '=', userId)
      .where('email_confirmed_at', 'is', null)
      .execute();
  }

  /**
   * Moves an account to a new (confirmed) address, only if its address is still `fromCanonical`.
   * The unique index decides who gets a contested address: a lost race is the value 'taken',
   * never a crash. Inside a transaction the statement runs under a savepoint, so a lost race
   * leaves the surrounding transaction usable on every engine (PostgreSQL aborts it otherwise).
   */
  async changeEmail(
    userId: string,
    fromCanonical: string,
    to: { display: string; canonical: string },
    nowMs: number,
  ): Promise<'changed' | 'taken' | 'stale'> {
    const update = () =>
      this.db
        .updateTable('users')
        .set({ email: to.display, email_canonical: to.canonical, email_confirmed_at: nowMs, updated_at: nowMs })
        .where('id', '=', userId)
        .where('email_canonical', '=', fromCanonical)
        .executeTakeFirst();
    try {
      const result = this.inTransaction ? await this.underSavepoint('latchkey_change_email', update) : await update();
      return Number(result.numUpdatedRows) === 1 ? 'changed' : 'stale';
    } catch (error) {
      if (this.capabilities.isUniqueViolation(error)) return 'taken';
      throw error;
    }
  }

  /** A successful sign-in: the current one becomes the last one, the count goes up, failures clear. */
  async recordLogin(userId: string, ip: string | null, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({
        last_login_at: eb.ref('current_login_at'),
        last_login_ip: eb.ref('current_login_ip'),
        current_login_at: nowMs,
        current_login_ip: ip,
        login_count: eb('login_count', '+', 1),
        failed_login_count: 0,
      }))
      .where('id', '=', userId)
      .execute();
  }

  async recordFailedLogin(userId: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ failed_login_count: eb('failed_login_count', '+', 1), last_failed_login_at: nowMs }))
      .where('id', '=', userId)
      .execute();
  }

  /** Deletes the account; its tokens and sessions go with it (foreign keys cascade). */
  async delete(userId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async setDisabled(userId: string, disabled: boolean, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ disabled_at: disabled ? nowMs : null, updated_at: nowMs })
      .where('id', '=', userId)
      .execute();
  }

  list(options: { limit: number; offset: number }): Promise<UserRecord[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(options.limit)
      .offset(options.offset)
      .execute();
  }

  /** Sets (a verified number) or clears (null) the account's phone. */
  async setPhone(userId: string, phone: string | null, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ phone, phone_verified_at: phone === null ? null : nowMs, updated_at: nowMs })
      .where('id', '=', userId)
      .execute();
  }
}
