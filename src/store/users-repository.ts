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
  /** The language of the request that created it (registration); absent: DEFAULT_LOCALE. */
  locale?: string | null;
}

/** One account of an import (latchkey import): its own creation time, confirmation and status. */
export interface ImportedUser {
  id: string;
  email: string;
  emailCanonical: string;
  name: string | null;
  username: { display: string; canonical: string } | null;
  passwordHash: string | null;
  createdAtMs: number;
  emailConfirmedAtMs: number | null;
  disabledAtMs: number | null;
  nowMs: number;
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
      locale: user.locale ?? null,
    };
    const insert = this.db.insertInto('users').values(values);
    const result =
      this.capabilities.insertIgnoreStyle === 'ignore'
        ? await insert.ignore().executeTakeFirst()
        : await insert.onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** The language the user now uses (src/http/session-loader.ts): mails go out in it. */
  async setLocale(id: string, locale: string): Promise<void> {
    await this.db.updateTable('users').set({ locale }).where('id', '=', id).execute();
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

  /**
   * Sets the first password of an account that has none, in one conditional UPDATE: false when
   * the account has a password by now (a parallel request or a reset set one first).
   */
  async setPasswordIfNone(userId: string, passwordHash: string, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: nowMs, updated_at: nowMs })
      .where('id', '=', userId)
      .where('password_hash', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
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
  /** The accounts among these canonical addresses and usernames (one import batch). */
  findForImport(emailCanonicals: string[], usernameCanonicals: string[]): Promise<UserRecord[]> {
    if (emailCanonicals.length === 0 && usernameCanonicals.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(emailCanonicals.length ? [eb('email_canonical', 'in', emailCanonicals)] : []),
          ...(usernameCanonicals.length ? [eb('username_canonical', 'in', usernameCanonicals)] : []),
        ]),
      )
      .execute();
  }

  /**
   * Inserts a batch of imported accounts in one statement, skipping any whose address or username
   * is taken meanwhile (the unique indexes decide); answers the ids that were inserted.
   */
  async insertImported(users: ImportedUser[]): Promise<Set<string>> {
    if (users.length === 0) return new Set();
    const values = users.map((u) => ({
      id: u.id,
      email: u.email,
      email_canonical: u.emailCanonical,
      name: u.name,
      password_hash: u.passwordHash,
      created_at: u.createdAtMs,
      updated_at: u.nowMs,
      disabled_at: u.disabledAtMs,
      password_changed_at: u.passwordHash ? u.nowMs : null,
      email_confirmed_at: u.emailConfirmedAtMs,
      username: u.username?.display ?? null,
      username_canonical: u.username?.canonical ?? null,
    }));
    const insert = this.db.insertInto('users').values(values);
    const result =
      this.capabilities.insertIgnoreStyle === 'ignore'
        ? await insert.ignore().executeTakeFirst()
        : await insert.onConflict((oc) => oc.doNothing()).executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === users.length) return new Set(users.map((u) => u.id));
    const ids = users.map((u) => u.id);
    const found = await this.db.selectFrom('users').select('id').where('id', 'in', ids).execute();
    return new Set(found.map((row) => row.id));
  }

  /** `latchkey import --update`: the given fields of an existing account; true when something changed. */
  async updateImported(
    userId: string,
    change: { name?: string | null; passwordHash?: string | null; emailConfirmedAtMs?: number; disabledAtMs?: number | null },
    nowMs: number,
  ): Promise<boolean> {
    const set: Record<string, unknown> = {};
    if (change.name !== undefined) set.name = change.name;
    if (change.passwordHash !== undefined) {
      set.password_hash = change.passwordHash;
      set.password_changed_at = nowMs;
    }
    if (change.emailConfirmedAtMs !== undefined) set.email_confirmed_at = change.emailConfirmedAtMs;
    if (change.disabledAtMs !== undefined) set.disabled_at = change.disabledAtMs;
    if (Object.keys(set).length === 0) return false;
    const result = await this.db
      .updateTable('users')
      .set({ ...set, updated_at: nowMs })
      .where('id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Accounts whose password hash is not Latchkey's Argon2id yet (imported, replaced at the next sign-in). */
  async countLegacyPasswordHashes(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('password_hash', 'is not', null)
      .where('password_hash', 'not like', '$argon2id$%')
      .executeTakeFirstOrThrow();
    return Number(row.count);
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
