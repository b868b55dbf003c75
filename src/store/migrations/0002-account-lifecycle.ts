import type { Kysely, Migration } from 'kysely';
import type { Capabilities } from '../database.ts';
import { tableBuilder } from './table-builder.ts';

/**
 * Issue 3: email confirmation, usernames, login tracking, per-account throttling, "remember me"
 * and recent authentication on sessions, the address an email-change token is about. One ALTER
 * per column (SQLite adds one column per statement); a UNIQUE index rather than a UNIQUE column
 * (SQLite cannot add one), which every engine allows with many NULLs.
 */
export const accountLifecycle = (capabilities: Capabilities): Migration => ({
  async up(db: Kysely<any>) {
    const userColumns: Array<[string, 'bigint' | 'varchar(45)' | 'varchar(64)']> = [
      ['email_confirmed_at', 'bigint'],
      ['username', 'varchar(64)'],
      ['username_canonical', 'varchar(64)'],
      ['current_login_at', 'bigint'],
      ['current_login_ip', 'varchar(45)'],
      ['last_login_at', 'bigint'],
      ['last_login_ip', 'varchar(45)'],
      ['last_failed_login_at', 'bigint'],
    ];
    for (const [name, type] of userColumns) await db.schema.alterTable('users').addColumn(name, type).execute();
    await db.schema
      .alterTable('users')
      .addColumn('login_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('users')
      .addColumn('failed_login_count', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('users_username_canonical').on('users').column('username_canonical').unique().execute();
    // Accounts made before confirmation existed are taken as confirmed: they were never asked.
    await db
      .updateTable('users')
      .set((eb) => ({ email_confirmed_at: eb.ref('created_at') }))
      .execute();

    await db.schema.alterTable('sessions').addColumn('authenticated_at', 'bigint').execute();
    await db.schema
      .alterTable('sessions')
      .addColumn('persistent', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db
      .updateTable('sessions')
      .set((eb) => ({ authenticated_at: eb.ref('created_at'), persistent: 1 }))
      .execute();

    await db.schema.alterTable('tokens').addColumn('target_email', 'varchar(254)').execute();

    await tableBuilder(
      db,
      capabilities,
    )('login_throttles')
      .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failed_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('login_throttles_last_failed').on('login_throttles').column('last_failed_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('login_throttles').execute();
    await db.schema.alterTable('tokens').dropColumn('target_email').execute();
    await db.schema.alterTable('sessions').dropColumn('persistent').execute();
    await db.schema.alterTable('sessions').dropColumn('authenticated_at').execute();
    await db.schema.dropIndex('users_username_canonical').on('users').execute();
    for (const name of [
      'failed_login_count',
      'login_count',
      'last_failed_login_at',
      'last_login_ip',
      'last_login_at',
      'current_login_ip',
      'current_login_at',
      'username_canonical',
      'username',
      'email_confirmed_at',
    ]) {
      await db.schema.alterTable('users').dropColumn(name).execute();
    }
  },
});
