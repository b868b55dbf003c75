import type { Kysely, Migration } from 'kysely';
import type { Capabilities } from '../database.ts';
import { tableBuilder } from './table-builder.ts';

/**
 * Issue 8: second factors and one-time codes. TOTP secrets are sealed (S27); recovery codes,
 * pending sign-ins and remembered devices are kept only as keyed digests. One-time codes live in
 * `tokens` (a credential change revokes them with every other token, S6), with the wrong
 * attempts counted on the row (S4) and, for a phone being verified, the number it was sent to.
 */
export const secondFactors = (capabilities: Capabilities): Migration => ({
  async up(db: Kysely<any>) {
    const createTable = tableBuilder(db, capabilities);
    await db.schema.alterTable('users').addColumn('phone', 'varchar(20)').execute();
    await db.schema.alterTable('users').addColumn('phone_verified_at', 'bigint').execute();
    await db.schema
      .alterTable('tokens')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('tokens').addColumn('target_phone', 'varchar(20)').execute();
    // The factors that signed the session in (OIDC amr): "pwd", "pwd otp", ...; NULL: a password.
    await db.schema.alterTable('sessions').addColumn('amr', 'varchar(64)').execute();
    await db.schema.createIndex('tokens_user_purpose').on('tokens').columns(['user_id', 'purpose']).execute();

    await createTable('mfa_totp')
      .addColumn('user_id', 'varchar(36)', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('confirmed_at', 'bigint')
      .addColumn('last_step', 'bigint')
      .execute();

    await createTable('recovery_codes')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('digest', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('recovery_codes_user_id').on('recovery_codes').column('user_id').execute();

    await createTable('pending_logins')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('digest', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('first_factor', 'varchar(16)', (c) => c.notNull())
      .addColumn('persistent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .execute();
    await db.schema.createIndex('pending_logins_user_id').on('pending_logins').column('user_id').execute();
    await db.schema.createIndex('pending_logins_expires_at').on('pending_logins').column('expires_at').execute();

    await createTable('remembered_devices')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('digest', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('remembered_devices_user_id').on('remembered_devices').column('user_id').execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['remembered_devices', 'pending_logins', 'recovery_codes', 'mfa_totp']) await db.schema.dropTable(table).execute();
    await db.schema.dropIndex('tokens_user_purpose').on('tokens').execute();
    await db.schema.alterTable('sessions').dropColumn('amr').execute();
    for (const column of ['target_phone', 'attempts']) await db.schema.alterTable('tokens').dropColumn(column).execute();
    for (const column of ['phone_verified_at', 'phone']) await db.schema.alterTable('users').dropColumn(column).execute();
  },
});
