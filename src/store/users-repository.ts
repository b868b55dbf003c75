import { type Kysely, type Selectable, sql } from 'kysely';
import { fail, ok, type Result } from '../kernel/result.ts';
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
}

export interface EmailChange {
  userId: string;
  email: string;
  emailCanonical: string;
  nowMs: number;
}

export type EmailChangeProblem = 'EMAIL_TAKEN' | 'USER_NOT_FOUND';

export class UsersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly capabilities: Capabilities,
    private readonly inTransaction = false,
  ) {}

  findByCanonicalEmail(emailCanonical: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('email_canonical', '=', emailCanonical).executeTakeFirst();
  }

  findById(id: string): Promise<UserRecord | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Inserts unless the canonical email is taken; true when this call created the account. */
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
    };
    const insert = this.db.insertInto('users').values(values);
    const result =
      this.capabilities.insertIgnoreStyle === 'ignore'
        ? await insert.ignore().executeTakeFirst()
        : await insert.onConflict((oc) => oc.column('email_canonical').doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /**
   * Moves an account to a new address. The unique index on the canonical address decides between
   * concurrent changes to the same address: exactly one wins, the others get EMAIL_TAKEN (a value,
   * not an exception). Inside a transaction the statement runs under a savepoint, so a lost race
   * leaves the surrounding transaction usable on every engine (PostgreSQL aborts it otherwise).
   */
  async changeEmail(change: EmailChange): Promise<Result<void, EmailChangeProblem>> {
    const update = () =>
      this.db
        .updateTable('users')
        .set({ email: change.email, email_canonical: change.emailCanonical, updated_at: change.nowMs })
        .where('id', '=', change.userId)
        .executeTakeFirst();
    try {
      const result = this.inTransaction ? await this.underSavepoint('latchkey_change_email', update) : await update();
      return Number(result.numUpdatedRows) === 1 ? ok(undefined) : fail('USER_NOT_FOUND');
    } catch (error) {
      if (this.capabilities.isUniqueViolation(error)) return fail('EMAIL_TAKEN');
      throw error;
    }
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

  /** Replaces the hash only if it is still `expectedHash`: a rehash never overwrites a reset. */
  async upgradePasswordHash(userId: string, expectedHash: string, passwordHash: string, nowMs: number): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: nowMs })
      .where('id', '=', userId)
      .where('password_hash', '=', expectedHash)
      .execute();
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
}
